/**
 * The environment of an app process started by a bench or the load lab: this process's
 * environment without Yeyak's own settings, then loopback on a free port, a data directory of the
 * run, secrets generated for the run (never reused, a queue log key among them), the development identity provider, no demo
 * seed, and the bench trusted as the app's balancer (`YEYAK_TRUST_PROXY=127.0.0.1`): the crowd's
 * requests name each person's own address in `X-Forwarded-For` (`crowdAddress`), so the
 * per-address abuse limit keeps its default. Every other setting — the log level and load shedding among them — is the shipped default; the
 * caller sends the app's log lines to a file (`forkTs`'s `stdoutFile`). `extra` overrides any of it.
 */
import { randomBytes } from 'node:crypto';
import { generateSignerKey } from '../../src/lib/signed-note.ts';

export function appEnvironment(dataDir: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('YEYAK_') && !['DATABASE_URL', 'REDIS_URL', 'PORT', 'HOST', 'LOG_LEVEL'].includes(k)),
  );
  const kid = `qb${Date.now().toString(36)}`;
  return {
    ...env,
    HOST: '127.0.0.1',
    PORT: '0',
    YEYAK_DATA_DIR: dataDir,
    YEYAK_SIGNING_KEYS: `${kid}:${randomBytes(32).toString('base64')}`,
    YEYAK_PERSON_PEPPER: randomBytes(32).toString('base64'),
    YEYAK_ENCRYPTION_KEYS: `${kid}:${randomBytes(32).toString('base64')}`,
    // The queue's transparency log, as the embedded default keeps it (an empty value keeps none).
    YEYAK_LOG_SIGNER_KEY: generateSignerKey('bench.yeyak/queue-log'),
    YEYAK_OPERATOR_KEY: randomBytes(24).toString('base64url'),
    YEYAK_DEV_IDENTITY: '1',
    // The bench stands where the balancer would: each person's address comes in X-Forwarded-For.
    YEYAK_TRUST_PROXY: '127.0.0.1',
    YEYAK_DEMO: '0',
    ...extra,
  };
}
