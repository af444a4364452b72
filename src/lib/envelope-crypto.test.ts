import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EnvelopeCrypto } from './envelope-crypto.ts';

const key = (kid: string) => ({ kid, key: randomBytes(32) });

describe('EnvelopeCrypto', () => {
  it('round-trips any text and never shows it in the sealed form', () => {
    const crypto = new EnvelopeCrypto([key('k1')]);
    fc.assert(
      fc.property(fc.string({ minLength: 4 }), fc.string(), (text, context) => {
        const sealed = crypto.encrypt(text, context);
        expect(crypto.decrypt(sealed, context)).toBe(text);
        expect(sealed).not.toContain(text);
      }),
    );
  });

  it('refuses another context, an edited value and an unknown key id', () => {
    const crypto = new EnvelopeCrypto([key('k1')]);
    const sealed = crypto.encrypt('홍길동', 'persons.name:a');
    expect(() => crypto.decrypt(sealed, 'persons.name:b')).toThrow();
    const parts = sealed.split('.');
    parts[7] = Buffer.from('tampered').toString('base64url');
    expect(() => crypto.decrypt(parts.join('.'), 'persons.name:a')).toThrow();
    expect(() => new EnvelopeCrypto([key('k2')]).decrypt(sealed, 'persons.name:a')).toThrow(/key id/);
  });

  it('still decrypts with an old key after rotation, and encrypts with the new one', () => {
    const old = key('old');
    const sealed = new EnvelopeCrypto([old]).encrypt('010-1234-5678', 'c');
    const rotated = new EnvelopeCrypto([key('new'), old]);
    expect(rotated.decrypt(sealed, 'c')).toBe('010-1234-5678');
    expect(rotated.encrypt('x', 'c').split('.')[1]).toBe('new');
  });

  it('seals short-lived values in one cipher, opened by the same decrypt, bound to their context and key', () => {
    const old = key('old');
    const crypto = new EnvelopeCrypto([old]);
    fc.assert(
      fc.property(fc.string({ minLength: 4 }), fc.string(), (text, context) => {
        const sealed = crypto.encryptCompact(text, context);
        expect(sealed.split('.')).toHaveLength(5);
        expect(crypto.decrypt(sealed, context)).toBe(text);
        expect(sealed).not.toContain(text);
      }),
    );
    const sealed = crypto.encryptCompact('{"bd":"1970-05-15"}', 'session.person:a');
    expect(() => crypto.decrypt(sealed, 'session.person:b')).toThrow();
    const parts = sealed.split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => crypto.decrypt(parts.join('.'), 'session.person:a')).toThrow();
    expect(new EnvelopeCrypto([key('new'), old]).decrypt(sealed, 'session.person:a')).toBe('{"bd":"1970-05-15"}');
    expect(() => new EnvelopeCrypto([key('other')]).decrypt(sealed, 'session.person:a')).toThrow(/key id/);
    // A data key wrapped by `encrypt` (same KEK, AAD "kek:<context>") does not open as a compact value.
    const [, kid, wIv, wTag, wData] = crypto.encrypt('x', 'c').split('.');
    expect(() => crypto.decrypt(['c1', kid, wIv, wTag, wData].join('.'), 'c')).toThrow();
    expect(() => crypto.decrypt(['c1', kid, wIv, wTag, wData].join('.'), 'kek:c')).toThrow();
  });
});
