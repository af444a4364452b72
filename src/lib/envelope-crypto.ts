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
/** One AES-GCM under a stored data key that many values share (see `useDataKey`). */
const UNDER_DATA_KEY = 'd1';

/**
 * How many values one data key seals before `encrypt` stops using it (random 96-bit nonces: NIST
 * SP 800-38D allows 2^32 per key); the process then seals each value under its own key (`v1`)
 * until it makes a new data key.
 */
const DATA_KEY_SEAL_LIMIT = 2 ** 30;

/** A value sealed under a data key this process does not hold yet: load it (`DataKeys`) and ask again. */
export class UnknownDataKey extends Error {
  constructor(readonly id: string) {
    super(`data key ${id} is not loaded`);
  }
}

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
 * Envelope encryption of personal data (AES-256-GCM) under data keys that the key-encryption key
 * (KEK) wraps. A process holding a data key (`useDataKey`: made at start, its wrapped form stored
 * in `data_keys`, `src/infra/db/data-keys.ts`) seals each value under it: `d1.<data key id>.<iv>.<tag>.<data>`.
 * Without one, each value gets a fresh data key wrapped beside it (`v1`, also what older rows hold).
 * Rotating adds a new KEK in front; old values still decrypt with the older KEK they name, and a
 * stored data key can be wrapped again under the new KEK without touching the values.
 * The `context` (e.g. `persons.phone:<person key>`) is authenticated, so a value copied to another
 * row or column does not decrypt.
 */
export class EnvelopeCrypto {
  private readonly active: { kid: string; key: KeyObject };
  // KeyObjects, made once (a raw Buffer key is turned into one by node:crypto on every call).
  private readonly byKid: Map<string, KeyObject>;
  /** The data keys this process holds, by id; the one it seals under. */
  private readonly dataKeys = new Map<string, KeyObject>();
  private sealingKey: { id: string; key: KeyObject; sealed: number } | null = null;
  /** Loads a stored data key's wrapped form by its id (`src/infra/db/data-keys.ts`), for `decryptStored`. */
  private loadDataKey: ((id: string) => Promise<string | null>) | null = null;

  constructor(keys: KeyWithId[]) {
    const [active] = keys;
    if (!active) throw new Error('at least one encryption key is required');
    this.byKid = new Map(keys.map((k) => [k.kid, createSecretKey(k.key)]));
    this.active = { kid: active.kid, key: this.byKid.get(active.kid)! };
  }

  /** Encrypts `plaintext` bound to `context`; the result is one printable string. */
  encrypt(plaintext: string, context: string): string {
    if (this.sealingKey && this.sealingKey.sealed++ < DATA_KEY_SEAL_LIMIT) {
      const body = seal(this.sealingKey.key, Buffer.from(plaintext, 'utf8'), Buffer.from(`data:${context}`));
      return [UNDER_DATA_KEY, this.sealingKey.id, b64(body.iv), b64(body.tag), b64(body.data)].join('.');
    }
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

  /**
   * A new data key under the active KEK: its wrapped form (`<kid>.<iv>.<tag>.<data>`, bound to its
   * id) to be stored before any value is sealed under it, and the key itself for `useDataKey`.
   */
  newDataKey(id: string): { wrapped: string; key: Buffer } {
    const key = pooledRandomBytes(32);
    const wrapped = seal(this.active.key, key, Buffer.from(`data-key:${id}`));
    return { wrapped: [this.active.kid, b64(wrapped.iv), b64(wrapped.tag), b64(wrapped.data)].join('.'), key };
  }

  /** Unwraps a stored data key (`newDataKey`'s `wrapped`) with the KEK it names; throws if it was altered or the KEK is unknown. */
  unwrapDataKey(id: string, wrapped: string): Buffer {
    const [kid, iv, tag, data, extra] = wrapped.split('.');
    const kek = kid === undefined ? undefined : this.byKid.get(kid);
    if (!kek || extra !== undefined) throw new Error('unknown encryption version or key id');
    return open(kek, unb64(iv), unb64(tag), unb64(data), Buffer.from(`data-key:${id}`));
  }

  /** The id of the KEK that wraps everything sealed from now on (the first configured). */
  get activeKid(): string {
    return this.active.kid;
  }

  /**
   * A stored data key wrapped again under the active KEK (the key itself unchanged, so no value
   * sealed under it changes), or null when the active KEK wraps it already. Throws as
   * `unwrapDataKey` does.
   */
  rewrapDataKey(id: string, wrapped: string): string | null {
    if (wrapped.startsWith(`${this.active.kid}.`)) return null;
    const key = this.unwrapDataKey(id, wrapped);
    const again = seal(this.active.key, key, Buffer.from(`data-key:${id}`));
    return [this.active.kid, b64(again.iv), b64(again.tag), b64(again.data)].join('.');
  }

  /**
   * A `v1` value (its data key wrapped beside it) with that key wrapped again under the active KEK,
   * its sealed body unchanged; null for a value that names no KEK of its own (`d1`: its data key is
   * a `data_keys` row) or that the active KEK wraps already. Throws if the value was altered or
   * names an unknown KEK.
   */
  rewrapSealed(sealed: string, context: string): string | null {
    const [version, kid, wIv, wTag, wData, ...body] = sealed.split('.');
    if (version !== VERSION || kid === this.active.kid) return null;
    const kek = kid === undefined ? undefined : this.byKid.get(kid);
    if (!kek || body.length !== 3) throw new Error('unknown encryption version or key id');
    const dataKey = open(kek, unb64(wIv), unb64(wTag), unb64(wData), Buffer.from(`kek:${context}`));
    const again = seal(this.active.key, dataKey, Buffer.from(`kek:${context}`));
    return [VERSION, this.active.kid, b64(again.iv), b64(again.tag), b64(again.data), ...body].join('.');
  }

  /** Holds a data key for decrypting the values sealed under it. */
  holdDataKey(id: string, key: Buffer): void {
    if (!this.dataKeys.has(id)) this.dataKeys.set(id, createSecretKey(key));
  }

  /** Seals every value `encrypt` makes from now on under this data key (stored already), and holds it. */
  useDataKey(id: string, key: Buffer): void {
    this.holdDataKey(id, key);
    this.sealingKey = { id, key: this.dataKeys.get(id)!, sealed: 0 };
  }

  /** Where `decryptStored` finds the data keys this process does not hold yet. */
  loadDataKeysFrom(load: (id: string) => Promise<string | null>): void {
    this.loadDataKey = load;
  }

  /** `decrypt` for a stored value: a data key made by another process (or an earlier one) is loaded and held first. */
  async decryptStored(sealed: string, context: string): Promise<string> {
    try {
      return this.decrypt(sealed, context);
    } catch (error) {
      if (!(error instanceof UnknownDataKey) || !this.loadDataKey) throw error;
      const wrapped = await this.loadDataKey(error.id);
      if (wrapped === null) throw new Error(`data key ${error.id} is not stored`, { cause: error });
      this.holdDataKey(error.id, this.unwrapDataKey(error.id, wrapped));
      return this.decrypt(sealed, context);
    }
  }

  /** The data key values are sealed under now, if any. */
  get dataKeyId(): string | null {
    return this.sealingKey?.id ?? null;
  }

  /**
   * Decrypts a value made by `encrypt` or `encryptCompact` for the same `context`; throws if
   * anything was altered, and `UnknownDataKey` for a value under a data key not held yet.
   */
  decrypt(sealed: string, context: string): string {
    if (sealed.startsWith(`${COMPACT}.`)) return this.decryptCompact(sealed, context);
    if (sealed.startsWith(`${UNDER_DATA_KEY}.`)) return this.decryptUnderDataKey(sealed, context);
    const [version, kid, wIv, wTag, wData, iv, tag, data] = sealed.split('.');
    const kek = kid === undefined ? undefined : this.byKid.get(kid);
    if (version !== VERSION || !kek) throw new Error('unknown encryption version or key id');
    const dataKey = open(kek, unb64(wIv), unb64(wTag), unb64(wData), Buffer.from(`kek:${context}`));
    return open(createSecretKey(dataKey), unb64(iv), unb64(tag), unb64(data), Buffer.from(context)).toString('utf8');
  }

  private decryptUnderDataKey(sealed: string, context: string): string {
    const [, id, iv, tag, data, extra] = sealed.split('.');
    if (id === undefined || extra !== undefined) throw new Error('unknown encryption version or key id');
    const key = this.dataKeys.get(id);
    if (!key) throw new UnknownDataKey(id);
    return open(key, unb64(iv), unb64(tag), unb64(data), Buffer.from(`data:${context}`)).toString('utf8');
  }

  private decryptCompact(sealed: string, context: string): string {
    const [, kid, iv, tag, data, extra] = sealed.split('.');
    const kek = kid === undefined ? undefined : this.byKid.get(kid);
    if (!kek || extra !== undefined) throw new Error('unknown encryption version or key id');
    return open(kek, unb64(iv), unb64(tag), unb64(data), Buffer.from(`compact:${context}`)).toString('utf8');
  }
}
