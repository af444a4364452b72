import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import { pooledRandomBytes } from './random-pool.ts';

/** A key with its id, so it can be rotated: the first of a list is active, all are accepted. */
export interface KeyWithId {
  kid: string;
  key: Buffer;
}

const VERSION = 'v1';
/** One AES-GCM under the key-encryption key itself, for short-lived values (see `encryptCompact`). */
const COMPACT = 'c1';

function seal(key: KeyObject, plaintext: Buffer, aad: Buffer): { iv: Buffer; tag: Buffer; data: Buffer } {
  const iv = pooledRandomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), data };
}

function open(key: KeyObject, iv: Buffer, tag: Buffer, data: Buffer, aad: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(data), decipher.final()]);
}

const b64 = (b: Buffer) => b.toString('base64url');
const unb64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64url');

/**
 * Envelope encryption of personal data (AES-256-GCM): each value gets a fresh data key, which is
 * itself encrypted under the active key-encryption key (KEK) and stored beside it with the KEK's
 * id. Rotating adds a new KEK in front; old values still decrypt with the older KEK they name.
 * The `context` (e.g. `persons.name:<person key>`) is authenticated, so a value copied to another
 * row or column does not decrypt.
 */
export class EnvelopeCrypto {
  private readonly active: { kid: string; key: KeyObject };
  // KeyObjects, made once (a raw Buffer key is turned into one by node:crypto on every call).
  private readonly byKid: Map<string, KeyObject>;

  constructor(keys: KeyWithId[]) {
    const [active] = keys;
    if (!active) throw new Error('at least one encryption key is required');
    this.byKid = new Map(keys.map((k) => [k.kid, createSecretKey(k.key)]));
    this.active = { kid: active.kid, key: this.byKid.get(active.kid)! };
  }

  /** Encrypts `plaintext` bound to `context`; the result is one printable string. */
  encrypt(plaintext: string, context: string): string {
    const dataKey = pooledRandomBytes(32);
    const aad = Buffer.from(context);
    const wrapped = seal(this.active.key, dataKey, Buffer.from(`kek:${context}`));
    const body = seal(createSecretKey(dataKey), Buffer.from(plaintext, 'utf8'), aad);
    return [VERSION, this.active.kid, b64(wrapped.iv), b64(wrapped.tag), b64(wrapped.data), b64(body.iv), b64(body.tag), b64(body.data)].join('.');
  }

  /**
   * Encrypts a value that lives as long as a session (its sealed claims): AES-256-GCM under the
   * active KEK itself, one cipher where `encrypt` needs two and a fresh data key — the session is
   * opened on the hot paths. Not for stored data, whose KEK should only ever wrap data keys. The
   * associated data is domain-separated from the wrapping's (`compact:` against `kek:`), so
   * neither can pass as the other. `decrypt` opens both forms.
   */
  encryptCompact(plaintext: string, context: string): string {
    const body = seal(this.active.key, Buffer.from(plaintext, 'utf8'), Buffer.from(`compact:${context}`));
    return [COMPACT, this.active.kid, b64(body.iv), b64(body.tag), b64(body.data)].join('.');
  }

  /** Decrypts a value made by `encrypt` or `encryptCompact` for the same `context`; throws if anything was altered. */
  decrypt(sealed: string, context: string): string {
    if (sealed.startsWith(`${COMPACT}.`)) return this.decryptCompact(sealed, context);
    const [version, kid, wIv, wTag, wData, iv, tag, data] = sealed.split('.');
    const kek = kid === undefined ? undefined : this.byKid.get(kid);
    if (version !== VERSION || !kek) throw new Error('unknown encryption version or key id');
    const dataKey = open(kek, unb64(wIv), unb64(wTag), unb64(wData), Buffer.from(`kek:${context}`));
    return open(createSecretKey(dataKey), unb64(iv), unb64(tag), unb64(data), Buffer.from(context)).toString('utf8');
  }

  private decryptCompact(sealed: string, context: string): string {
    const [, kid, iv, tag, data, extra] = sealed.split('.');
    const kek = kid === undefined ? undefined : this.byKid.get(kid);
    if (!kek || extra !== undefined) throw new Error('unknown encryption version or key id');
    return open(kek, unb64(iv), unb64(tag), unb64(data), Buffer.from(`compact:${context}`)).toString('utf8');
  }
}
