import type { FastifyBaseLogger } from 'fastify';
import type { Ctx } from '../../../context.ts';
import { BackgroundLoop } from '../../../lib/background-loop.ts';
import { bucketOf, LATENCY_BUCKETS_MS, THIS_NODE, type NodeFigures } from './node-figures.ts';

/** This node's booking-path figures now. */
export function nodeFiguresNow(ctx: Pick<Ctx, 'clock' | 'waitingRoom'>): NodeFigures {
  const atMs = ctx.clock.now().getTime();
  const path = ctx.waitingRoom.bookingPath;
  return { node: THIS_NODE, atMs, ...path.bookingTotals(), serverErrors: path.serverErrorsTotal, latency: path.latencyHistogram(atMs, LATENCY_BUCKETS_MS.length, bucketOf) };
}

/** Every second, this node's figures on the shared board, so any node's live dashboard shows the whole cluster. */
export class NodeFiguresPublisher {
  private readonly loop: BackgroundLoop;

  constructor(ctx: Pick<Ctx, 'clock' | 'nodeFigures' | 'waitingRoom'>, log: FastifyBaseLogger) {
    let failing = false;
    this.loop = new BackgroundLoop(
      async () => {
        await ctx.nodeFigures.publish(nodeFiguresNow(ctx));
        failing = false;
        return false;
      },
      () => 1000,
      (error) => {
        // Redis down: the dashboards show the nodes still publishing; said once, not every second.
        if (!failing) log.warn({ err: error }, 'could not publish this node’s live figures');
        failing = true;
      },
    );
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
