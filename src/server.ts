import { buildApp } from './app.ts';
import { createContext } from './bootstrap.ts';
import { ConfigError, loadConfig } from './config.ts';
import { seedDemoIfEmpty } from './modules/demo/demo-seed.ts';
import { OutboxPruner } from './modules/outbox/outbox-pruner.ts';
import { createOutboxWorker } from './modules/outbox/workers.ts';

/** The process: read config, open stores, seed the demo, listen, and close gracefully. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const ctx = await createContext(config);
  // Seed before the app exists: the seed's long synchronous work must not count as event-loop
  // delay for load shedding once the app serves.
  const started = Date.now();
  const seeded = config.demo && (await seedDemoIfEmpty(ctx));
  const app = await buildApp(ctx, { connectionTimeout: 30_000, keepAliveTimeout: 65_000, requestTimeout: 30_000 });
  if (seeded) app.log.info({ ms: Date.now() - started }, 'demo data seeded');
  ctx.waitingRoom.start();
  // The outbox relay (registry, messages, reminders, registry import), off with YEYAK_WORKERS=0.
  const worker = config.workers ? createOutboxWorker(ctx) : null;
  worker?.start();
  // Finished outbox work older than YEYAK_OUTBOX_RETENTION_HOURS goes, in the process that runs the worker.
  const pruner = config.workers ? new OutboxPruner(ctx, { log: app.log }) : null;
  pruner?.start();
  let closing = false;
  const close = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'closing');
    await app.close();
    await worker?.stop();
    await pruner?.stop();
    await ctx.waitingRoom.stop();
    await ctx.waitingRoom.store.close();
    await ctx.database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void close('SIGINT'));
  process.on('SIGTERM', () => void close('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
