import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EntryError, decodeEntry, encodeEntry, encodeEntryLine, type LogEntry } from './log-entries.ts';
import { leafHash, leafHashOfLine } from './merkle.ts';
import { commitmentOf, drawOf, drawnOrder, orderHashOf, seedHashOf } from './prequeue-order.ts';

const hash = (s: string) => createHash('sha256').update(s).digest();

describe('queue log entries', () => {
  it('writes each kind as one line of fixed fields, and reads it back', () => {
    const c = hash('c');
    const entries: [LogEntry, string][] = [
      [{ kind: 'place', position: 15, atMs: 1784458800123, commitment: c }, `place 15 1784458800123 ${c.toString('base64')}\n`],
      [{ kind: 'seed', round: 0, atMs: 1, seedHash: c }, `seed 0 1 ${c.toString('base64')}\n`],
      [{ kind: 'enter', round: 2, atMs: 1, commitment: c }, `enter 2 1 ${c.toString('base64')}\n`],
      [{ kind: 'draw', round: 2, atMs: 3, base: 100, count: 7, seed: c, orderHash: c }, `draw 2 3 100 7 ${c.toString('base64')} ${c.toString('base64')}\n`],
      [{ kind: 'serve', servingUpTo: 300, atMs: 5 }, 'serve 300 5\n'],
      [{ kind: 'admit', position: 299, atMs: 5 }, 'admit 299 5\n'],
      [{ kind: 'skip', position: 12, atMs: 6, reason: 'expired' }, 'skip 12 6 expired\n'],
      [{ kind: 'pause', atMs: 7 }, 'pause 7\n'],
      [{ kind: 'resume', atMs: 8 }, 'resume 8\n'],
      [{ kind: 'close', atMs: 9 }, 'close 9\n'],
      [{ kind: 'reopen', atMs: 10 }, 'reopen 10\n'],
    ];
    for (const [entry, text] of entries) {
      expect(encodeEntry(entry).toString('ascii')).toBe(text);
      expect(decodeEntry(Buffer.from(text, 'ascii'))).toEqual(entry);
    }
  });

  it('refuses any other form: one entry has one encoding', () => {
    const b64 = hash('c').toString('base64');
    const bad = ['place 15 1\n', `place 015 1 ${b64}\n`, `place 15 1 ${b64}`, `place  15 1 ${b64}\n`, `place 15 -1 ${b64}\n`, 'pause 7 8\n', 'jump 1\n', 'skip 1 2 bored\n', 'serve 1 2\r\n', `place 15 1 ${b64.slice(0, -1)}\n`, 'Pause 7\n', 'serve 9007199254740993 1\n', 'constructor 1\n'];
    for (const text of bad) expect(() => decodeEntry(Buffer.from(text, 'latin1')), JSON.stringify(text)).toThrow(EntryError);
    expect(() => encodeEntry({ kind: 'admit', position: 1.5, atMs: 1 })).toThrow(EntryError);
    expect(() => encodeEntry({ kind: 'place', position: 1, atMs: 1, commitment: Buffer.alloc(31) })).toThrow(EntryError);
  });

  it('round-trips any entry', () => {
    const int = fc.maxSafeNat();
    const h = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((a) => Buffer.from(a));
    const entry = fc.oneof(
      fc.record({ kind: fc.constant('place' as const), position: int, atMs: int, commitment: h }),
      fc.record({ kind: fc.constant('draw' as const), round: int, atMs: int, base: int, count: int, seed: h, orderHash: h }),
      fc.record({ kind: fc.constant('skip' as const), position: int, atMs: int, reason: fc.constantFrom('expired' as const, 'abandoned' as const) }),
    );
    fc.assert(
      fc.property(entry, (e) => {
        expect(decodeEntry(encodeEntry(e))).toEqual(e);
        // The line the log stores and hashes is the same bytes, and hashes to the same leaf.
        expect(Buffer.from(encodeEntryLine(e), 'ascii')).toEqual(encodeEntry(e));
        expect(leafHashOfLine(encodeEntryLine(e))).toEqual(leafHash(encodeEntry(e)));
      }),
    );
  });
});

describe('the pre-queue draw anyone can run again', () => {
  it('orders a round by HMAC-SHA256(seed, commitment), whatever order the entries came in', () => {
    const seed = hash('seed of round 0');
    const commitments = Array.from({ length: 50 }, (_, i) => commitmentOf(hash(`opening ${i}`)));
    const order = drawnOrder(seed, commitments);
    expect(order).toEqual(drawnOrder(seed, [...commitments].reverse()));
    expect([...order].sort(Buffer.compare)).toEqual([...commitments].sort(Buffer.compare));
    for (let i = 1; i < order.length; i++) expect(drawOf(seed, order[i - 1]!)).toBeLessThanOrEqual(drawOf(seed, order[i]!));
    // Another seed, another order; the order hash tells them apart.
    const other = drawnOrder(hash('another seed'), commitments);
    expect(other).not.toEqual(order);
    expect(orderHashOf(other).equals(orderHashOf(order))).toBe(false);
  });

  it('draws 40 bits, and commits to a seed and an opening by SHA-256', () => {
    const seed = randomBytes(32);
    const draws = Array.from({ length: 200 }, () => drawOf(seed, randomBytes(32)));
    expect(draws.every((d) => Number.isInteger(d) && d >= 0 && d < 2 ** 40)).toBe(true);
    expect(Math.max(...draws)).toBeGreaterThan(2 ** 38);
    expect(seedHashOf(seed).equals(createHash('sha256').update(seed).digest())).toBe(true);
    const opening = randomBytes(32);
    expect(commitmentOf(opening).equals(createHash('sha256').update('yeyak-queue/v1 commitment\n').update(opening).digest())).toBe(true);
  });
});
