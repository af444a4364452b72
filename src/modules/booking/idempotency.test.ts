import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { canonicalJson, requestFingerprint } from './idempotency.ts';

const requestHash = (parts: unknown) => requestFingerprint(parts).hash;
/** The hash as records written before the canonical form hold it: the JSON in the order its keys came. */
const hashInArrivalOrder = (parts: unknown) => createHash('sha256').update(JSON.stringify(parts)).digest('base64url');

/** Reorders every object's keys (deeply), as another client's JSON might. */
function shuffled(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((item) => shuffled(item, seed));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    const rotated = entries.map((_, i) => entries[(i + seed) % entries.length]!).reverse();
    return Object.fromEntries(rotated.map(([k, v]) => [k, shuffled(v, seed + 1)]));
  }
  return value;
}

describe('the idempotency fingerprint', () => {
  it('is the same whatever the order of the keys, and parses back to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (value, seed) => {
        expect(requestHash(shuffled(value, seed))).toBe(requestHash(value));
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('tells different requests apart, and writes RFC 8785’s form', () => {
    expect(requestHash({ date: '2026-08-20', time: '09:30' })).not.toBe(requestHash({ date: '2026-08-20', time: '09:00' }));
    expect(canonicalJson({ b: [1, { d: 'x', c: null }], a: 1e21, '\u00e9': true, A: 0.1 })).toBe('{"A":0.1,"a":1e+21,"b":[1,{"c":null,"d":"x"}],"é":true}');
  });

  it('matches a hash stored before it was canonical (the same request, keys in the order they came), and nothing else', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 2 }), fc.nat(), (value, seed) => {
        const request = requestFingerprint(value);
        expect(request.matches(request.hash)).toBe(true);
        expect(request.matches(hashInArrivalOrder(value))).toBe(true);
        // Another order of the same keys is the same request in the canonical hash, which is what is stored from now on.
        expect(request.matches(requestFingerprint(shuffled(value, seed)).hash)).toBe(true);
      }),
    );
    const booking = requestFingerprint({ campaignId: 'c', institutionId: 'i', date: '2026-08-20', time: '09:30' });
    expect(booking.matches(hashInArrivalOrder({ campaignId: 'c', institutionId: 'i', date: '2026-08-20', time: '09:00' }))).toBe(false);
    expect(booking.matches(requestFingerprint({ campaignId: 'c', institutionId: 'i', date: '2026-08-20', time: '09:00' }).hash)).toBe(false);
  });
});
