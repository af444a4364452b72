import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EnvelopeCrypto, UnknownDataKey } from './envelope-crypto.ts';

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

  describe('under a stored data key', () => {
    /** A process's crypto sealing under a data key kept in `stored` (a stand-in for `data_keys`). */
    function process(keks: { kid: string; key: Buffer }[], stored: Map<string, string>, id: string) {
      const crypto = new EnvelopeCrypto(keks);
      const { wrapped, key: dataKey } = crypto.newDataKey(id);
      stored.set(id, wrapped);
      crypto.useDataKey(id, dataKey);
      crypto.loadDataKeysFrom(async (wanted) => stored.get(wanted) ?? null);
      return crypto;
    }

    it('round-trips any text in one short form, bound to its context, and refuses an edited value', () => {
      const crypto = process([key('k1')], new Map(), 'dk1');
      fc.assert(
        fc.property(fc.string({ minLength: 4 }), fc.string(), (text, context) => {
          const sealed = crypto.encrypt(text, context);
          expect(sealed.split('.').slice(0, 2)).toEqual(['d1', 'dk1']);
          expect(crypto.decrypt(sealed, context)).toBe(text);
          expect(sealed).not.toContain(text);
        }),
      );
      const phone = crypto.encrypt('010-1234-5678', 'persons.phone:a');
      expect(phone.length).toBeLessThan(new EnvelopeCrypto([key('k1')]).encrypt('010-1234-5678', 'persons.phone:a').length / 2);
      expect(() => crypto.decrypt(phone, 'persons.phone:b')).toThrow();
      const parts = phone.split('.');
      parts[4] = Buffer.from('tampered').toString('base64url');
      expect(() => crypto.decrypt(parts.join('.'), 'persons.phone:a')).toThrow();
      // Another stored key's id on the same value does not open it.
      expect(() => crypto.decrypt(['d1', 'other', ...phone.split('.').slice(2)].join('.'), 'persons.phone:a')).toThrow(UnknownDataKey);
    });

    it("opens another process's values once it loads that process's key, and an earlier v1 value as before", async () => {
      const kek = key('k1');
      const stored = new Map<string, string>();
      const first = process([kek], stored, 'first');
      const older = new EnvelopeCrypto([kek]).encrypt('010-0000-0001', 'c');
      const sealed = first.encrypt('010-1234-5678', 'c');
      const second = process([kek], stored, 'second');
      expect(() => second.decrypt(sealed, 'c')).toThrow(UnknownDataKey);
      expect(await second.decryptStored(sealed, 'c')).toBe('010-1234-5678');
      expect(second.decrypt(sealed, 'c')).toBe('010-1234-5678'); // held from now on
      expect(await second.decryptStored(older, 'c')).toBe('010-0000-0001');
      // A key nobody stored is an error, not a silent null.
      await expect(second.decryptStored(['d1', 'nowhere', ...sealed.split('.').slice(2)].join('.'), 'c')).rejects.toThrow(/not stored/);
    });

    it('unwraps a data key only under its own id, with the key-encryption key it names, also after rotation', () => {
      const old = key('old');
      const stored = new Map<string, string>();
      const crypto = process([old], stored, 'dk');
      const wrapped = stored.get('dk')!;
      expect(wrapped.split('.')[0]).toBe('old');
      const rotated = new EnvelopeCrypto([key('new'), old]);
      expect(rotated.unwrapDataKey('dk', wrapped)).toHaveLength(32);
      expect(rotated.newDataKey('next').wrapped.split('.')[0]).toBe('new');
      expect(() => rotated.unwrapDataKey('another-id', wrapped)).toThrow();
      expect(() => new EnvelopeCrypto([key('other')]).unwrapDataKey('dk', wrapped)).toThrow(/key id/);
      // Nor does a value sealed under the KEK itself pass as a wrapped data key, or the reverse.
      const [, kid, iv, tag, data] = crypto.encryptCompact('x'.repeat(32), 'dk').split('.');
      expect(() => crypto.unwrapDataKey('dk', [kid, iv, tag, data].join('.'))).toThrow();
      expect(() => crypto.decrypt(['c1', wrapped].join('.'), 'dk')).toThrow();
    });
  });
});
