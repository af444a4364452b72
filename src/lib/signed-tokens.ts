import { SignJWT, jwtVerify, errors as joseErrors, type JWTPayload } from 'jose';

/** The kinds of credential Yeyak signs; each has its own audience so none can pass as another. */
export type TokenKind = 'session' | 'ticket' | 'admission' | 'operator' | 'oidc';

export interface SigningKey {
  kid: string;
  key: Buffer;
}

export interface VerifiedToken {
  subject: string;
  claims: JWTPayload;
  expiresAt: Date;
}

const ISSUER = 'yeyak';
// Pinned: tokens are verified with HS256 only, whatever their header says (alg:none, RS256 … refused).
const ALGORITHM = 'HS256';

export class TokenInvalidError extends Error {}

/**
 * Signs and verifies Yeyak's credentials (HMAC-SHA256, key id for rotation: the first key signs,
 * every listed key verifies). Time comes from the caller's clock, never from the token's holder.
 */
export class TokenSigner {
  private readonly active: SigningKey;
  private readonly byKid: Map<string, Uint8Array>;

  constructor(keys: SigningKey[]) {
    const [active] = keys;
    if (!active) throw new Error('at least one signing key is required');
    this.active = active;
    this.byKid = new Map(keys.map((k) => [k.kid, new Uint8Array(k.key)]));
  }

  /** Signs a credential of `kind` for `subject`, valid for `ttlSeconds` from `now`. */
  async sign(kind: TokenKind, subject: string, now: Date, ttlSeconds: number, claims: Record<string, unknown> = {}): Promise<string> {
    const iat = Math.floor(now.getTime() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: ALGORITHM, kid: this.active.kid, typ: `${kind}+jwt` })
      .setIssuer(ISSUER)
      .setAudience(`yeyak:${kind}`)
      .setSubject(subject)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttlSeconds)
      .sign(new Uint8Array(this.active.key));
  }

  /** Verifies a credential of `kind` at `now`; throws TokenInvalidError for anything else. */
  async verify(kind: TokenKind, token: string, now: Date): Promise<VerifiedToken> {
    try {
      const { payload } = await jwtVerify(
        token,
        (header) => {
          const key = header.kid === undefined ? undefined : this.byKid.get(header.kid);
          if (!key) throw new TokenInvalidError('unknown key id');
          return key;
        },
        {
          algorithms: [ALGORITHM],
          issuer: ISSUER,
          audience: `yeyak:${kind}`,
          typ: `${kind}+jwt`,
          currentDate: now,
          requiredClaims: ['sub', 'exp', 'iat'],
        },
      );
      return { subject: payload.sub as string, claims: payload, expiresAt: new Date((payload.exp as number) * 1000) };
    } catch (error) {
      if (error instanceof TokenInvalidError) throw error;
      if (error instanceof joseErrors.JOSEError || error instanceof TypeError) {
        throw new TokenInvalidError(error.message);
      }
      throw error;
    }
  }
}
