import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeEntry, type LogEntry } from './log-entries.ts';
import { drawnOrderMatching, orderMatching, replayLog } from './order-of-service.ts';
import { drawnOrder, orderHashOf, seedHashOf } from './prequeue-order.ts';

const hash = (s: string) => createHash('sha256').update(s).digest();
const seed = hash('seed of round 0');
const people = Array.from({ length: 5 }, (_, i) => hash(`person ${i}`));
const order = drawnOrder(seed, people);

/** A log an honest queue writes: two rounds' worth of events, served and admitted in order. */
function honest(): LogEntry[] {
  return [
    { kind: 'seed', round: 0, atMs: 1, seedHash: seedHashOf(seed) },
    ...people.map((commitment, i): LogEntry => ({ kind: 'enter', round: 0, atMs: 2 + i, commitment })),
    { kind: 'draw', round: 0, atMs: 10, base: 0, count: 5, seed, orderHash: orderHashOf(order) },
    { kind: 'place', position: 6, atMs: 11, commitment: hash('late 6') },
    { kind: 'serve', servingUpTo: 3, atMs: 12 },
    { kind: 'admit', position: 2, atMs: 13 },
    { kind: 'pause', atMs: 14 },
    { kind: 'resume', atMs: 15 },
    { kind: 'place', position: 7, atMs: 16, commitment: hash('late 7') },
    { kind: 'serve', servingUpTo: 7, atMs: 17 },
    { kind: 'admit', position: 7, atMs: 18 },
    { kind: 'close', atMs: 19 },
  ];
}

const replay = (entries: LogEntry[]) => replayLog(entries.map(encodeEntry));
const withEntry = (index: number, entry: LogEntry, remove = 0) => {
  const entries = honest();
  entries.splice(index, remove, entry);
  return replay(entries);
};

describe('the order of service, replayed from the log', () => {
  it('finds nothing wrong in an honest log, and knows each holder’s place', () => {
    const r = replay(honest());
    expect(r.violations).toEqual([]);
    expect(r.positions.get(order[0]!.toString('base64'))).toBe(1);
    expect(r.positions.get(hash('late 7').toString('base64'))).toBe(7);
    expect([...r.admitted.keys()]).toEqual([2, 7]);
    expect(r).toMatchObject({ issuedUpTo: 7, servingUpTo: 7 });
  });

  it('catches an admission before its turn, of a place never handed out, or while closed', () => {
    expect(withEntry(9, { kind: 'admit', position: 5, atMs: 12 }).violations).toEqual(['leaf 9: place 5 admitted before its turn (serving up to 3)']);
    expect(withEntry(16, { kind: 'admit', position: 7, atMs: 20 }).violations).toEqual(['leaf 16: place 7 admitted while the queue was closed']);
    const gap = honest();
    gap.splice(12, 1); // place 7 never handed out, served and admitted anyway
    expect(replay(gap).violations).toEqual(['leaf 12: served up to 7, past the last place handed out (6)', 'leaf 13: place 7 admitted but never handed out']);
  });

  it('accepts a place given up before its turn, passed by the queue, and catches one given up after it, never handed out, twice, or admitted after', () => {
    const left: LogEntry = { kind: 'skip', position: 4, atMs: 11, reason: 'abandoned' };
    expect(withEntry(8, left).violations).toEqual([]);
    // Its holder joins again at the back: one place at a time, so that is no second place.
    const rejoined = honest();
    rejoined.splice(8, 0, left);
    rejoined.splice(14, 0, { kind: 'place', position: 8, atMs: 16, commitment: order[3]! });
    expect(replay(rejoined).violations).toEqual([]);
    expect(withEntry(10, { kind: 'skip', position: 3, atMs: 13, reason: 'abandoned' }).violations).toEqual(['leaf 10: place 3 given up after its turn (serving up to 3)']);
    expect(withEntry(10, { kind: 'skip', position: 2, atMs: 13, reason: 'abandoned' }).violations).toEqual(['leaf 10: place 2 given up after it was admitted']);
    expect(withEntry(8, { kind: 'skip', position: 9, atMs: 11, reason: 'abandoned' }).violations).toEqual(['leaf 8: place 9 given up but never handed out']);
    const twice = honest();
    twice.splice(8, 0, left, { ...left, atMs: 12 });
    expect(replay(twice).violations).toEqual(['leaf 9: place 4 given up twice']);
    // The tamper an auditor must see: place 7 given up, then admitted all the same.
    expect(withEntry(13, { kind: 'skip', position: 7, atMs: 16, reason: 'abandoned' }).violations).toEqual(['leaf 15: place 7 admitted after its holder gave it up']);
  });

  it('catches a place handed out behind the end of the queue (a jump), and a second place for one holder', () => {
    expect(withEntry(12, { kind: 'place', position: 4, atMs: 16, commitment: hash('jumper') }, 1).violations).toContain("leaf 12: place 4 handed out behind the queue's end (6)");
    expect(withEntry(12, { kind: 'place', position: 7, atMs: 16, commitment: hash('late 6') }, 1).violations).toEqual([`leaf 12: a second place for one holder (${hash('late 6').toString('base64')})`]);
  });

  it('catches the queue served backwards or while paused', () => {
    expect(withEntry(15, { kind: 'serve', servingUpTo: 2, atMs: 18 }).violations).toEqual(['leaf 15: served back from 7 to 2']);
    expect(withEntry(11, { kind: 'serve', servingUpTo: 4, atMs: 14 }).violations).toEqual(['leaf 11: served while paused']);
  });

  it('catches a draw that its seed does not make: another order, another seed, a late entry, a member left out', () => {
    const draw = honest()[6] as Extract<LogEntry, { kind: 'draw' }>;
    const swapped = [order[1]!, order[0]!, ...order.slice(2)];
    expect(withEntry(6, { ...draw, orderHash: orderHashOf(swapped) }, 1).violations).toEqual(["leaf 6: round 0's order is not the one its seed draws"]);
    const otherSeed = hash('another seed');
    expect(withEntry(6, { ...draw, seed: otherSeed, orderHash: orderHashOf(drawnOrder(otherSeed, people)) }, 1).violations).toEqual(["leaf 6: round 0's seed is not the one committed"]);
    expect(withEntry(7, { kind: 'enter', round: 0, atMs: 10, commitment: hash('too late') }).violations).toEqual(['leaf 7: an entry in round 0 after its draw']);
    expect(withEntry(6, { ...draw, count: 4, orderHash: orderHashOf(drawnOrder(seed, people.slice(0, 4))) }, 1).violations).toContain('leaf 6: round 0 drawn with 4 entries, 5 entered');
    expect(withEntry(1, { kind: 'enter', round: 1, atMs: 2, commitment: hash('no seed') }).violations).toEqual(['leaf 1: an entry in round 1 before its seed was committed']);
  });

  it('accepts any order of equal draws, since the stores break such ties by what an auditor cannot see', () => {
    // Equal 40-bit draws cannot be found on purpose: the draws are given.
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(hash) as [Buffer, Buffer, Buffer, Buffer];
    const entries = [
      { commitment: a, draw: 7 },
      { commitment: b, draw: 3 },
      { commitment: c, draw: 7 },
      { commitment: d, draw: 7 },
    ];
    const tied = [a, c, d].sort(Buffer.compare);
    expect(orderMatching(entries, orderHashOf([b, ...tied]))).toEqual([b, ...tied]);
    expect(orderMatching(entries, orderHashOf([b, tied[2]!, tied[0]!, tied[1]!]))).toEqual([b, tied[2], tied[0], tied[1]]);
    // An order that breaks the draws is refused whatever the ties.
    expect(orderMatching(entries, orderHashOf([tied[0]!, b, tied[1]!, tied[2]!]))).toBeNull();
    expect(drawnOrderMatching(seed, people, orderHashOf(order))).toEqual(order);
  });

  it('catches an entry that is not one, and a time that goes back more than the clocks can disagree', () => {
    const bytes = honest().map(encodeEntry);
    bytes[3] = Buffer.from('jump 1\n');
    expect(replayLog(bytes).violations).toEqual(['leaf 3: not an entry (unknown entry kind: jump)', 'leaf 6: round 0 drawn with 5 entries, 4 entered', "leaf 6: round 0's order is not the one its seed draws"]);
    // Within the clocks' tolerance a time may go back (two nodes' clocks); beyond it, never.
    expect(withEntry(11, { kind: 'resume', atMs: 5_000 }, 1).violations).toEqual([]);
    expect(withEntry(11, { kind: 'resume', atMs: 20_000 }, 1).violations).toContain('leaf 12: its time goes back 19984 ms');
  });
});
