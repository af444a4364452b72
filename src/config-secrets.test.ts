import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { ConfigError } from './config-secrets.ts';
import { generateSignerKey } from './lib/signed-note.ts';

describe('the queue log’s signer key (YEYAK_LOG_SIGNER_KEY, YEYAK_QUEUE_LOG)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'yeyak-secrets-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const server = {
    DATABASE_URL: 'postgres://yeyak@127.0.0.1:5432/yeyak',
    YEYAK_SIGNING_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    YEYAK_PERSON_PEPPER: randomBytes(32).toString('base64'),
    YEYAK_ENCRYPTION_KEYS: `e1:${randomBytes(32).toString('base64')}`,
    YEYAK_OPERATOR_KEY: 'x'.repeat(24),
  };

  it('is required with DATABASE_URL, like the other secrets', () => {
    expect(() => loadConfig(server)).toThrow(ConfigError);
    expect(() => loadConfig(server)).toThrow('YEYAK_LOG_SIGNER_KEY is required when DATABASE_URL is set');
    const config = loadConfig({ ...server, YEYAK_LOG_SIGNER_KEY: generateSignerKey('yeyak.example/queue-log') });
    expect(config.secrets.logSigner?.name).toBe('yeyak.example/queue-log');
  });

  it('may be left out only by a deployment that says it keeps no log', () => {
    expect(loadConfig({ ...server, YEYAK_QUEUE_LOG: 'off' }).secrets.logSigner).toBeNull();
    // Said on the embedded default too: no log, though a key is generated with the other secrets.
    expect(loadConfig({ YEYAK_DATA_DIR: dataDir, YEYAK_QUEUE_LOG: 'off' }).secrets.logSigner).toBeNull();
    expect(() => loadConfig({ ...server, YEYAK_QUEUE_LOG: 'no' })).toThrow('YEYAK_QUEUE_LOG must be on or off');
  });

  it('is generated on the embedded default and kept across restarts', () => {
    const first = loadConfig({ YEYAK_DATA_DIR: dataDir }).secrets.logSigner;
    expect(first?.name).toBe('localhost/yeyak-queue-log');
    expect(loadConfig({ YEYAK_DATA_DIR: dataDir }).secrets.logSigner?.verifierKey).toBe(first?.verifierKey);
  });
});
