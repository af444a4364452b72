import { buildApp } from './app.ts';
import { createContext } from './bootstrap.ts';
import { warmUp } from './warm-up.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './http/logger.ts';
import { describeSeedProgress, seedDemoIfEmpty, seedProbeIfMissing } from './modules/demo/index.ts';
import { demoAccountsText, servedUrls, servingMessage } from './start-up-messages.ts';
import { startNodeWork } from './node-work.ts';
import { exitIfDataDirInUse } from './infra/db/data-dir-lock.ts';

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
  // One logger from the first line on: the app takes it over once it exists.
  const log = createLogger(config.logLevel);
  log.info(config.databaseUrl ? 'connecting to PostgreSQL and migrating' : `opening the embedded database in ${config.dataDir} and migrating`);
  const ctx = await createContext(config, { log });
  // Seed before the app exists: the seed's long synchronous work must not count as event-loop
  // delay for load shedding once the app serves.
  const started = Date.now();
  const seeded = config.demo ? await seedDemoIfEmpty(ctx, { onProgress: (progress) => log.info(describeSeedProgress(progress)) }) : null;
  if (seeded) log.info({ ms: Date.now() - started }, 'demo data seeded');
  // The synthetic probe's campaign, clinic and persons, once, when the demo has a probe credential.
  if (config.demo && config.probeKey !== null && (await seedProbeIfMissing(ctx))) log.info('probe campaign, clinic and synthetic persons seeded (npm run probe)');
  const app = await buildApp(ctx, { loggerInstance: log, connectionTimeout: 30_000, keepAliveTimeout: 65_000, requestTimeout: 30_000 });
  // The waiting room's refresh, the node's figures for the others, the outbox relay and its
  // pruner, held while the clock disagrees with the database's (src/node-work.ts).
  const background = await startNodeWork(ctx, app.log);
  let closing = false;
  const close = async (signal: string) => {
    if (closing) return;
    closing = true;
    // SIGTERM (a balancer or orchestrator stopping the node): fail readiness and keep serving for
    // the drain, so no request meets a closed port. Ctrl-C closes at once.
    const drainSeconds = signal === 'SIGTERM' ? config.shutdownDrainSeconds : 0;
    ctx.lifecycle.draining = true;
    app.log.info({ signal, drainSeconds }, 'closing');
    if (drainSeconds > 0) await new Promise((resolve) => setTimeout(resolve, drainSeconds * 1000));
    await app.close();
    ctx.clockAgreement?.stop();
    await background.stop();
    await ctx.waitingRoom.close();
    await ctx.database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void close('SIGINT'));
  process.on('SIGTERM', () => void close('SIGTERM'));
  // Ready before listening: a balancer's first request meets a node with nothing to catch up on.
  await warmUp(app, ctx);
  await app.listen({ port: config.port, host: config.host });
  const urls = servedUrls(app.server.address(), config.host);
  app.log.info(urls, servingMessage(urls));
  // Straight to standard output, never through the logger: initial passwords must not land in kept logs.
  if (seeded && seeded.accounts.length > 0) process.stdout.write(demoAccountsText(seeded.accounts, urls));
}

main().catch((error: unknown) => {
  exitIfDataDirInUse(error);
  console.error(error);
  process.exit(1);
});
