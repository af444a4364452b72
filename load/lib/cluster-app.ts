/**
 * N application processes sharing one port through `node:cluster` (scale-out: PostgreSQL + Redis),
 * forked by load/lib/system.ts with an IPC channel. The primary migrates the database once (so the
 * nodes do not race on it), forks `YEYAK_LOAD_APPS` workers running the benches' app launcher
 * (bench/lib/queue-app.ts: the real app and a node's background work, the waiting-room refresher and
 * the outbox relay among it), reports
 * `{ type: 'listening', port, pid, workers }` once every worker listens, and stops them all when
 * its parent goes away or on SIGTERM. The primary hands new connections to the workers in turn;
 * keep-alive connections then stay with their worker.
 */
import cluster, { type Worker } from 'node:cluster';
import { resolve } from 'node:path';
import { createContext } from '../../src/bootstrap.ts';
import { loadConfig } from '../../src/config.ts';

async function primary(): Promise<void> {
  const count = Number(process.env.YEYAK_LOAD_APPS ?? 2);
  const ctx = await createContext(loadConfig(process.env));
  await ctx.waitingRoom.store.close();
  await ctx.database.close();

  cluster.setupPrimary({ exec: resolve(import.meta.dirname, '../../bench/lib/queue-app.ts'), execArgv: ['--import', 'tsx'] });
  const workers: Worker[] = [];
  const listening = new Set<number>();
  let stopping = false;
  cluster.on('message', (worker, message: { type?: string; port?: number }) => {
    if (message.type !== 'listening' || !worker.process.pid) return;
    listening.add(worker.process.pid);
    if (listening.size === count) process.send?.({ type: 'listening', port: message.port, pid: process.pid, workers: [...listening] });
  });
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping) {
      console.error(`app worker ${worker.process.pid} exited (${code ?? signal}): stopping the cluster`);
      void stop(1);
    }
  });
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((done) => {
            if (w.isDead()) return done();
            const timer = setTimeout(() => w.process.kill('SIGKILL'), 10_000);
            w.once('exit', () => {
              clearTimeout(timer);
              done();
            });
            w.process.kill('SIGTERM');
          }),
      ),
    );
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));
  process.on('disconnect', () => void stop(0));
  for (let i = 0; i < count; i++) workers.push(cluster.fork(process.env));
}

if (cluster.isPrimary) {
  primary().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
