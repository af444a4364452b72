import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-secrets.ts';
import { DEFAULT_OIDC_SCOPE, parseOidcProviders, parsePublicUrl } from './config-oidc.ts';

const naver = { issuer: 'https://nid.naver.example', clientId: 'id', clientSecret: 'very-secret-value' };

describe('YEYAK_OIDC_PROVIDERS', () => {
  it('is empty when unset and frozen when set, with the default scope', () => {
    expect(parseOidcProviders(undefined)).toEqual({});
    expect(parseOidcProviders('  ')).toEqual({});
    const providers = parseOidcProviders(JSON.stringify({ naver, pass: { ...naver, issuer: 'http://127.0.0.1:4000', scope: 'openid profile' } }));
    expect(providers.naver).toEqual({ ...naver, scope: DEFAULT_OIDC_SCOPE });
    expect(providers.pass?.scope).toBe('openid profile');
    expect(Object.isFrozen(providers) && Object.isFrozen(providers.naver)).toBe(true);
  });

  it.each([
    ['{not json', /not valid JSON/],
    ['[]', /must be a JSON object/],
    ['{"Naver!": {}}', /provider name "Naver!"/],
    [JSON.stringify({ naver: 'x' }), /naver must be an object/],
    [JSON.stringify({ naver: { ...naver, issuer: 'http://nid.naver.example' } }), /naver\.issuer must use https/],
    [JSON.stringify({ naver: { ...naver, issuer: 'not a url' } }), /naver\.issuer is not a URL/],
    [JSON.stringify({ naver: { ...naver, clientSecret: '' } }), /naver\.clientSecret must be a non-empty string/],
    [JSON.stringify({ naver: { ...naver, clientID: 'typo' } }), /naver has unknown fields: clientID/],
    [JSON.stringify({ naver: { ...naver, scope: 'profile' } }), /naver\.scope must include "openid"/],
  ])('refuses %s with a clear message', (raw, message) => {
    expect(() => parseOidcProviders(raw)).toThrow(ConfigError);
    expect(() => parseOidcProviders(raw)).toThrow(message);
  });

  it('never repeats a secret in its messages', () => {
    for (const broken of [{ ...naver, issuer: 'ftp://x' }, { ...naver, extra: 1 }, { ...naver, scope: 'x' }]) {
      const error = (() => {
        try {
          parseOidcProviders(JSON.stringify({ naver: broken }));
        } catch (e) {
          return e as Error;
        }
        throw new Error('expected a ConfigError');
      })();
      expect(error.message).not.toContain(naver.clientSecret);
    }
  });
});

describe('YEYAK_PUBLIC_URL', () => {
  it('defaults to localhost on the port and keeps an origin only', () => {
    expect(parsePublicUrl(undefined, 3000)).toBe('http://localhost:3000');
    expect(parsePublicUrl('https://yeyak.example.kr/', 3000)).toBe('https://yeyak.example.kr');
  });

  it.each(['yeyak.example.kr', 'ftp://yeyak.example.kr', 'https://yeyak.example.kr/app', 'https://yeyak.example.kr/?a=1'])('refuses %s', (raw) => {
    expect(() => parsePublicUrl(raw, 3000)).toThrow(ConfigError);
  });
});
