import { createHash, createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cosignedAt, witnessOf } from './cosignature.ts';
import { COSIGNATURE_V1, generateSignerKey, signNote, signerOf } from '../../../lib/signed-note.ts';

const checkpoint = 'example.com/log\n42\nqINS1GRFhWHwdkUeqLEoP4yEMkTBBzxBkGwGQlVlVcs=\n';

describe('a witness’s cosignature (C2SP tlog-cosignature)', () => {
  const key = generateSignerKey('witness.example/w1', COSIGNATURE_V1);
  const witness = witnessOf(key);
  const logSigned = signNote(checkpoint, [signerOf(generateSignerKey('example.com/log'))]);

  it('is a signature line of a type 0x04 key over "cosignature/v1", the time and the checkpoint, as the specification writes it', () => {
    // name+hash+base64, where the base64 may itself hold a '+'.
    const [, , hash, encoded] = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(witness.verifierKey)!;
    const raw = Buffer.from(encoded!, 'base64');
    expect(raw[0]).toBe(0x04);
    const expectedId = createHash('sha256').update('witness.example/w1\n').update(raw).digest().subarray(0, 4);
    expect(hash).toBe(expectedId.toString('hex'));
    const line = witness.cosign(checkpoint, 1_700_000_000);
    const [, name, b64] = /^— (\S+) (\S+)\n$/u.exec(line)!;
    expect(name).toBe('witness.example/w1');
    const data = Buffer.from(b64!, 'base64');
    expect(data.subarray(0, 4)).toEqual(expectedId);
    expect(data.readBigUInt64BE(4)).toBe(1_700_000_000n);
    // Verified apart, with node:crypto and the message spelt out here.
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.subarray(1).toString('base64url') }, format: 'jwk' });
    expect(verify(null, Buffer.from(`cosignature/v1\ntime 1700000000\n${checkpoint}`), publicKey, data.subarray(12))).toBe(true);
  });

  it('is found in a note beside the log’s own signature, and not once the note or the time is changed', () => {
    const cosigned = logSigned + witness.cosign(checkpoint, 1_700_000_123);
    expect(cosignedAt(cosigned, witness.verifierKey)).toBe(1_700_000_123);
    expect(cosignedAt(logSigned, witness.verifierKey)).toBeNull();
    expect(cosignedAt(cosigned.replace('\n42\n', '\n43\n'), witness.verifierKey)).toBeNull();
    const other = witnessOf(generateSignerKey('witness.example/w1', COSIGNATURE_V1));
    expect(cosignedAt(cosigned, other.verifierKey)).toBeNull();
  });

  it('refuses a key of another type as a witness key', () => {
    expect(() => witnessOf(generateSignerKey('example.com/log'))).toThrow();
  });
});
