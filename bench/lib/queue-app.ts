/**
 * The real Yeyak app for the benches (bench/queue.ts, and bench/booking.ts through bench/serve.ts) as its own process: like
 * src/server.ts — createContext, buildApp, the node's background work started as a deployed node's
 * (`startNodeWork`: the waiting room's 250 ms refresher, which ticks the queue forward so admissions
 * happen, and by default the outbox relay, which delivers the bookings' messages) — but without demo seeding, and tied to its parent like
 * bench/serve.ts: PORT=0 picks a free port; with an IPC channel (child_process.fork) it reports
 * `{ type: 'listening', port, pid }`, answers `{ type: 'elu' }` with its cumulative event-loop
 * busy/idle milliseconds and its event-loop delay since the previous question (longest stall, p99), profiles its own CPU between `{ type: 'profile-start' }` and
 * `{ type: 'profile-stop', file }` (V8's sampling profiler through node:inspector; the .cpuprofile
 * opens in Chrome DevTools or speedscope; answered `{ type: 'profile-written', file }`), serves the
 * bare baseline's answer from inside its own process on `{ type: 'bare-in-app', bytes }` (a port of
 * its own, answered `{ type: 'bare-in-app-listening', port }`: bench:queue's status rounds), and exits
 * when its parent goes away. SIGTERM closes it gracefully.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { bareResponse } from './bare-response.ts';
import { eventLoopReporter } from './event-loop-report.ts';
import { buildApp } from '../../src/app.ts';
import { createContext } from '../../src/bootstrap.ts';
import { loadConfig } from '../../src/config.ts';
import { startNodeWork } from '../../src/node-work.ts';
import { warmUp } from '../../src/warm-up.ts';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const ctx = await createContext(config);
  const app = await buildApp(ctx, { connectionTimeout: 30_000, keepAliveTimeout: 65_000, requestTimeout: 30_000 });
  // As src/server.ts: the refresh, the node's figures, the outbox relay (by default), held by the clock.
  const background = await startNodeWork(ctx, app.log);
  let closing = false;
  const close = async (code: number) => {
    if (closing) return;
    closing = true;
    try {
      bareInApp?.close();
      await app.close();
      ctx.clockAgreement?.stop();
      await background.stop();
      await ctx.waitingRoom.store.close();
      await ctx.database.close();
    } finally {
      process.exit(code);
    }
  };
  process.on('SIGINT', () => void close(0));
  process.on('SIGTERM', () => void close(0));
  process.on('disconnect', () => void close(0));
  const eventLoop = eventLoopReporter();
  let profiler: Session | null = null;
  let bareInApp: Server | null = null;
  process.on('message', (message: { type?: string; file?: string; intervalMicros?: number; bytes?: number }) => {
    if (message.type === 'elu') {
      process.send?.(eventLoop());
    } else if (message.type === 'bare-in-app' && bareInApp === null) {
      const server = createServer(bareResponse(message.bytes ?? 200).listener);
      bareInApp = server;
      server.keepAliveTimeout = 65_000;
      server.listen({ port: 0, host: '127.0.0.1' }, () => process.send?.({ type: 'bare-in-app-listening', port: (server.address() as AddressInfo).port }));
    } else if (message.type === 'profile-start' && profiler === null) {
      const session = new Session();
      session.connect();
      profiler = session;
      void (async () => {
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: message.intervalMicros ?? 500 });
        await session.post('Profiler.start');
        process.send?.({ type: 'profile-started' });
      })();
    } else if (message.type === 'profile-stop' && profiler !== null && message.file) {
      const session = profiler;
      const file = message.file;
      profiler = null;
      void (async () => {
        const { profile } = await session.post('Profiler.stop');
        session.disconnect();
        writeFileSync(file, JSON.stringify(profile));
        process.send?.({ type: 'profile-written', file });
      })();
    }
  });
  await warmUp(app, ctx); // as src/server.ts: ready before it listens
  await app.listen({ port: config.port, host: config.host });
  const { port } = app.server.address() as AddressInfo;
  if (process.send) process.send({ type: 'listening', port, pid: process.pid });
  else console.log(`yeyak (waiting-room bench) listening on http://${config.host}:${port}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
