import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRedisSentinels } from './config-redis.ts';
import { loadConfig } from './config.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'yeyak-config-redis-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('YEYAK_REDIS_SENTINELS and YEYAK_REDIS_MASTER_NAME', () => {
  it('reads host:port lists (port 26379 by default, IPv6 in brackets) and the master name (default yeyak)', () => {
    expect(parseRedisSentinels(undefined, undefined)).toBeNull();
    expect(parseRedisSentinels(' 10.0.0.5:26379, sentinel-b.redis.svc , [::1]:26380', undefined)).toEqual({
      sentinels: [
        { host: '10.0.0.5', port: 26379 },
        { host: 'sentinel-b.redis.svc', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      masterName: 'yeyak',
    });
    expect(parseRedisSentinels('127.0.0.1:1', 'queue-primary')).toEqual({ sentinels: [{ host: '127.0.0.1', port: 1 }], masterName: 'queue-primary' });
  });

  it('refuses bad entries, a bad master name, and a master name without sentinels', () => {
    const bad: [string | undefined, string | undefined][] = [
      ['127.0.0.1:0', undefined],
      ['127.0.0.1:65536', undefined],
      ['127.0.0.1:abc', undefined],
      ['a,,b', undefined],
      ['::1:26379', undefined],
      ['[10.0.0.1]:26379', undefined],
      ['host_with_underscore:26379', undefined],
      ['127.0.0.1', 'bad name'],
      [undefined, 'yeyak'],
    ];
    for (const [sentinels, name] of bad) expect(parseRedisSentinels(sentinels, name), `${sentinels} / ${name}`).toHaveProperty('error');
  });

  it('makes a bad value, or sentinels without REDIS_URL, a configuration error at start', () => {
    const env = { YEYAK_DATA_DIR: dataDir };
    expect(() => loadConfig({ ...env, YEYAK_REDIS_SENTINELS: '127.0.0.1:26379' })).toThrow(/needs REDIS_URL/);
    expect(() => loadConfig({ ...env, REDIS_URL: 'redis://yeyak', YEYAK_REDIS_SENTINELS: 'x:0' })).toThrow(/YEYAK_REDIS_SENTINELS/);
    expect(() => loadConfig({ ...env, REDIS_URL: 'redis://127.0.0.1:6379', YEYAK_REDIS_MASTER_NAME: 'yeyak' })).toThrow(/YEYAK_REDIS_MASTER_NAME/);
    const config = loadConfig({ ...env, REDIS_URL: 'redis://:secret@yeyak/2', YEYAK_REDIS_SENTINELS: 's1:26379,s2:26379,s3:26379' });
    expect(config.redisSentinel).toEqual({ sentinels: ['s1', 's2', 's3'].map((host) => ({ host, port: 26379 })), masterName: 'yeyak' });
    expect(loadConfig({ ...env, REDIS_URL: 'redis://127.0.0.1:6379' }).redisSentinel).toBeNull();
  });
});
