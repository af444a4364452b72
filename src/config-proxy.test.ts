import { describe, expect, it } from 'vitest';
import { parseTrustProxy } from './config-proxy.ts';
import { loadConfig } from './config.ts';

describe('YEYAK_TRUST_PROXY', () => {
  it('reads Fastify trustProxy values: none, all, a hop count, addresses and CIDRs', () => {
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('true')).toBe(true);
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('127.0.0.1/8, 10.0.0.0/8,::1,loopback')).toEqual(['127.0.0.1/8', '10.0.0.0/8', '::1', 'loopback']);
  });

  it('refuses what is not an address, a CIDR, a named range or a hop count of 1–10 (configuration error at start)', () => {
    for (const bad of ['0', '11', 'nginx', '10.0.0.0/33', '::1/129', '10.0.0.1/8/1', '127.0.0.1,', 'yes']) {
      expect(parseTrustProxy(bad), bad).toHaveProperty('error');
      expect(() => loadConfig({ YEYAK_TRUST_PROXY: bad, YEYAK_DATA_DIR: '/nonexistent-yeyak' }), bad).toThrow(/YEYAK_TRUST_PROXY/);
    }
  });
});
