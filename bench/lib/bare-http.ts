/**
 * The baseline of the ratio benchmarks: a bare `node:http` server, nothing but the standard library,
 * answering every request with the same small JSON body (BARE_BODY_BYTES long, default 200), as a
 * process of its own on 127.0.0.1 (BARE_PORT, default 0 = a free port). Started with an IPC channel
 * (child_process.fork) it reports `{ type: 'listening', port, pid }`, answers `{ type: 'elu' }` with
 * its event-loop busy/idle milliseconds (and event-loop delay since the previous question), and exits when its parent goes away.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bareResponse } from './bare-response.ts';
import { eventLoopReporter } from './event-loop-report.ts';

function main(): void {
  const { listener, bodyBytes } = bareResponse(Number(process.env.BARE_BODY_BYTES ?? 200));
  const server = createServer(listener);
  // The same keep-alive idle limit as the app (bench/lib/queue-app.ts), so wrk's connections stay open.
  server.keepAliveTimeout = 65_000;
  const close = () => server.close(() => process.exit(0));
  process.on('SIGINT', close);
  process.on('SIGTERM', close);
  process.on('disconnect', () => process.exit(0));
  const eventLoop = eventLoopReporter();
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'elu') {
      process.send?.(eventLoop());
    }
  });
  server.listen({ port: Number(process.env.BARE_PORT ?? 0), host: '127.0.0.1' }, () => {
    const { port } = server.address() as AddressInfo;
    if (process.send) process.send({ type: 'listening', port, pid: process.pid, bodyBytes });
    else console.log(`bare node:http listening on http://127.0.0.1:${port} (${bodyBytes}-byte body)`);
  });
}

main();
