// What the server offered each waiter (load/lib/run-result.ts): a pace within 5 s of their place,
// and whether that first estimate served them within ±25% — the figures the load report puts
// beside the clients' own, which the generator's queue for a connection delays.
import { describe, expect, it } from 'vitest';
import { estimateOffered } from '../load/lib/run-result.ts';
import type { StatusPoint } from '../load/lib/samplers.ts';

const OPENING = 1_000_000;
const point = (secondsFromOpening: number, servingUpTo: number, etaRate: number | null): StatusPoint => ({
  secondsFromOpening,
  queueLength: 0,
  servingUpTo,
  issuedUpTo: 1_000,
  admitRate: 10,
  etaRate,
  state: 'open',
});

describe('estimateOffered', () => {
  // Ten places a second from the opening, the pace known from second 3 on.
  const points = Array.from({ length: 60 }, (_, s) => point(s, s * 10, s >= 3 ? 10 : null));

  it('counts a waiter with a pace within 5 s, and an estimate that came true, as offered and within ±25%', () => {
    expect(estimateOffered([200, OPENING + 2_000], points, OPENING)).toEqual({ waiters: 1, withoutWithin5s: 0, withinQuarter: 1 });
  });

  it('counts a waiter whose only pace came more than 5 s after their place as offered none', () => {
    const late = Array.from({ length: 60 }, (_, s) => point(s, s * 10, s >= 8 ? 10 : null));
    expect(estimateOffered([200, OPENING], late, OPENING)).toEqual({ waiters: 1, withoutWithin5s: 1, withinQuarter: 0 });
  });

  it('counts an estimate the queue did not keep as outside ±25%', () => {
    // The pace says 100 a second; the queue serves 10: place 400 is told 4 s and waits 37 s.
    const optimistic = points.map((p) => ({ ...p, etaRate: 100 }));
    expect(estimateOffered([400, OPENING + 3_000], optimistic, OPENING)).toEqual({ waiters: 1, withoutWithin5s: 0, withinQuarter: 0 });
  });
});
