import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/** The kinds of credential Yeyak signs; each has its own audience so none can pass as another. */
export type TokenKind = 'session' | 'ticket' | 'admission' | 'operator' | 'oidc';

export interface SigningKey {
  kid: string;
  key: Buffer;
}

interface TokenClaims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  iat?: number;
  nbf?: number;
  [claim: string]: unknown;
}

export interface VerifiedToken {
  subject: string;
  claims: TokenClaims;
  expiresAt: Date;
}

const ISSUER = 'yeyak';
// Pinned: tokens are verified with HS256 only, whatever their header says (alg:none, RS256 … refused).
const ALGORITHM = 'HS256';

export class TokenInvalidError extends Error {}

/** Token headers remembered once checked: a few per kind and key id is all a signer ever issues. */
const HEADERS_REMEMBERED = 64;

function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeJson(part: string): Record<string, unknown> {
  // Strict base64url: Buffer's decoder skips characters it does not know, so check the alphabet first.
  if (!/^[A-Za-z0-9_-]+$/.test(part)) throw new TokenInvalidError('malformed token');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new TokenInvalidError('malformed token');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TokenInvalidError('malformed token');
  return value as Record<string, unknown>;
}

/**
 * Signs and verifies Yeyak's credentials as compact JWS (RFC 7515/7519, HS256 with a key id for
 * rotation: the first key signs, every listed key verifies). Time comes from the caller's clock,
 * never from the token's holder.
 *
 * HMAC runs synchronously through node:crypto: a credential is checked on every request of the
 * hot paths, and WebCrypto's promise round trips cost more than the hash itself (docs/performance.md).
 * The format is plain JWS, proven interchangeable with `jose` in the tests.
 *
 * @example
 * const token = signer.sign('ticket', personKey, clock.now(), 3600, { cid: 'covid-2026', pos: 42 });
 * const { subject, claims } = signer.verify('ticket', token, clock.now());
 */
export class TokenSigner {
  private readonly active: { kid: string; key: KeyObject };
  private readonly headers = new Map<TokenKind, string>();
  private readonly acceptedHeaders = new Map<string, { kind: TokenKind; key: KeyObject }>();
  // KeyObjects, made once: node:crypto turns a raw Buffer key into one on every call, which costs
  // about 8× the HMAC itself (15 µs against 2 µs on this machine).
  private readonly byKid: Map<string, KeyObject>;

  constructor(keys: SigningKey[]) {
    const [active] = keys;
    if (!active) throw new Error('at least one signing key is required');
    if (keys.some((k) => k.key.length < 32)) throw new Error('signing keys must have at least 256 bits');
    this.byKid = new Map(keys.map((k) => [k.kid, createSecretKey(k.key)]));
    this.active = { kid: active.kid, key: this.byKid.get(active.kid)! };
  }

  private header(kind: TokenKind): string {
    let header = this.headers.get(kind);
    if (!header) {
      header = encodeJson({ alg: ALGORITHM, kid: this.active.kid, typ: `${kind}+jwt` });
      this.headers.set(kind, header);
    }
    return header;
  }

  /** Signs a credential of `kind` for `subject`, valid for `ttlSeconds` from `now`. */
  sign(kind: TokenKind, subject: string, now: Date, ttlSeconds: number, claims: Record<string, unknown> = {}): string {
    const iat = Math.floor(now.getTime() / 1000);
    const payload = encodeJson({ ...claims, iss: ISSUER, aud: `yeyak:${kind}`, sub: subject, iat, exp: iat + ttlSeconds });
    const input = `${this.header(kind)}.${payload}`;
    return `${input}.${createHmac('sha256', this.active.key).update(input).digest('base64url')}`;
  }

  /**
   * The key a token's header names, once the header passed every check for `kind`. Headers that
   * passed are remembered as written (every token this signer issues has one of a handful), which
   * spares each verification a base64 decode and a JSON parse; only a few are kept, so made-up
   * headers cannot grow the memory.
   */
  private keyForHeader(kind: TokenKind, headerPart: string): KeyObject {
    const known = this.acceptedHeaders.get(headerPart);
    if (known?.kind === kind) return known.key;
    const header = decodeJson(headerPart);
    if (header.alg !== ALGORITHM) throw new TokenInvalidError('algorithm not allowed');
    if (header.typ !== `${kind}+jwt`) throw new TokenInvalidError('wrong token type');
    if (header.crit !== undefined) throw new TokenInvalidError('unsupported critical header');
    const key = typeof header.kid === 'string' ? this.byKid.get(header.kid) : undefined;
    if (!key) throw new TokenInvalidError('unknown key id');
    if (this.acceptedHeaders.size < HEADERS_REMEMBERED) this.acceptedHeaders.set(headerPart, { kind, key });
    return key;
  }

  /** Verifies a credential of `kind` at `now`; throws TokenInvalidError for anything else. */
  verify(kind: TokenKind, token: string, now: Date): VerifiedToken {
    const parts = token.split('.');
    if (parts.length !== 3) throw new TokenInvalidError('malformed token');
    const [headerPart, payloadPart, signature] = parts as [string, string, string];
    const key = this.keyForHeader(kind, headerPart);
    const expected = Buffer.from(createHmac('sha256', key).update(`${headerPart}.${payloadPart}`).digest('base64url'));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new TokenInvalidError('signature verification failed');

    const claims = decodeJson(payloadPart) as TokenClaims;
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (claims.iss !== ISSUER || !audiences.includes(`yeyak:${kind}`)) throw new TokenInvalidError('wrong issuer or audience');
    if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number' || typeof claims.iat !== 'number') throw new TokenInvalidError('missing claims');
    const nowSeconds = Math.floor(now.getTime() / 1000);
    if (claims.exp <= nowSeconds) throw new TokenInvalidError('token expired');
    if (typeof claims.nbf === 'number' && claims.nbf > nowSeconds) throw new TokenInvalidError('token not yet valid');
    return { subject: claims.sub, claims, expiresAt: new Date(claims.exp * 1000) };
  }
}
