import { describe, expect, it } from 'vitest';
import { encodeEntry, type LogEntry } from './log-entries.ts';
import { LoggedPlaces } from './logged-places.ts';

const c = (n: number) => Buffer.alloc(32, n);
const seed = Buffer.alloc(32, 9);

/** The entries' lines observed in order, as a log enters them into its tree. */
function observed(entries: LogEntry[]): LoggedPlaces {
  const places = new LoggedPlaces();
  entries.forEach((e, i) => places.observe(encodeEntry(e).toString('ascii'), i));
  return places;
}

describe('LoggedPlaces', () => {
  it('finds the leaf that first logged each position, and what the log shows served, admitted and drawn', () => {
    const places = observed([
      { kind: 'place', position: 1, atMs: 1, commitment: c(1) },
      { kind: 'place', position: 2, atMs: 2, commitment: c(2) },
      { kind: 'seed', round: 1, atMs: 3, seedHash: c(7) },
      { kind: 'enter', round: 1, atMs: 4, commitment: c(3) },
      { kind: 'draw', round: 1, atMs: 5, base: 2, count: 1, seed, orderHash: c(8) },
      { kind: 'serve', servingUpTo: 3, atMs: 6 },
      { kind: 'admit', position: 2, atMs: 7 },
      // A place the log already holds, restored again: its first entry stays its entry.
      { kind: 'restore', position: 2, atMs: 8, commitment: c(2) },
      { kind: 'restore', position: 5000, atMs: 9, commitment: c(4) },
      { kind: 'serve', servingUpTo: 2, atMs: 10 },
      { kind: 'skip', position: 1, atMs: 11, reason: 'expired' },
      { kind: 'pause', atMs: 12 },
    ]);
    expect([1, 2, 3, 4, 5000].map((p) => places.leafOf(p))).toEqual([0, 1, null, null, 8]);
    expect(places.leafOf(0)).toBeNull();
    expect(places.leafOf(-1)).toBeNull();
    expect(places.leafOf(1 << 24)).toBeNull();
    expect([1, 2, 3].map((p) => places.admitted(p))).toEqual([false, true, false]);
    expect(places.servingUpTo).toBe(3);
    expect(places.lastPlaced).toBe(5000);
    expect([2, 3, 4].map((p) => places.drawn(p))).toEqual([false, true, false]);
  });

  it('starts empty', () => {
    const places = new LoggedPlaces();
    expect(places.leafOf(1)).toBeNull();
    expect(places.servingUpTo).toBe(0);
    expect(places.lastPlaced).toBe(0);
    expect(places.drawn(1)).toBe(false);
  });
});
