/**
 * The real Yeyak app (createContext + buildApp) as its own process, configured from the
 * environment like src/server.ts — the waiting room's refresher runs, so the queue moves forward
 * and admissions are issued — but without demo seeding. PORT=0 picks a free port; when
 * started with an IPC channel (child_process.fork) it reports `{ type: 'listening', port }`,
 * answers `{ type: 'elu' }` with its event-loop busy/idle time, and exits when its parent goes
 * away, so a crashed bench never leaves it running.
 */
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { buildApp } from '../src/app.ts';
import { createContext } from '../src/bootstrap.ts';
import { loadConfig } from '../src/config.ts';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const ctx = await createContext(config);
  const app = await buildApp(ctx, { connectionTimeout: 30_000, keepAliveTimeout: 65_000, requestTimeout: 30_000 });
  // As in src/server.ts: without the refresher the queue never advances and nobody is admitted.
  ctx.waitingRoom.start();
  let closing = false;
  const close = async (code: number) => {
    if (closing) return;
    closing = true;
    try {
      await app.close();
      await ctx.waitingRoom.stop();
      await ctx.waitingRoom.store.close();
      await ctx.database.close();
    } finally {
      process.exit(code);
    }
  };
  process.on('SIGINT', () => void close(0));
  process.on('SIGTERM', () => void close(0));
  process.on('disconnect', () => void close(0));
  // The bench asks how busy the event loop was (cumulative active/idle milliseconds).
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'elu') {
      const { active, idle } = performance.eventLoopUtilization();
      process.send?.({ type: 'elu', active, idle });
    }
  });
  await app.listen({ port: config.port, host: config.host });
  const { port } = app.server.address() as AddressInfo;
  if (process.send) process.send({ type: 'listening', port, pid: process.pid });
  else console.log(`yeyak bench server listening on http://${config.host}:${port}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
