import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../lib/clock.ts';
import { isSoldOut, type DosesFigure } from './domain/sold-out.ts';
import { RemainingDosesCache } from './remaining-doses-cache.ts';

/** A reader answering from a script of figures (or failures), counting its calls. */
function scriptedReader() {
  const calls: { campaignId: string; at: string }[] = [];
  let next: DosesFigure | Error = { capacity: 10, remaining: 10 };
  let gate: Promise<void> = Promise.resolve();
  return {
    calls,
    answer: (figure: DosesFigure | Error) => void (next = figure),
    /** Holds the next reads until the returned function is called (a slow database). */
    hold: () => {
      let release = () => {};
      gate = new Promise<void>((resolve) => (release = resolve));
      return release;
    },
    read: async (campaignId: string, now: Date) => {
      calls.push({ campaignId, at: now.toISOString() });
      await gate;
      if (next instanceof Error) throw next;
      return next;
    },
  };
}

/** A cache over a scripted reader, re-reading every 2 s, whose reads take no time. */
function standardCache() {
  const clock = new ManualClock('2026-08-09T11:00:00Z');
  const reader = scriptedReader();
  return { clock, reader, cache: new RemainingDosesCache(reader.read, clock, { intervalMs: 2_000, elapsedMs: () => 0 }) };
}

describe('the remaining-doses cache', () => {
  it('answers from memory and re-reads only once the interval has passed on the injected clock', async () => {
    const { clock, reader, cache } = standardCache();
    expect(cache.current('c1')).toBeUndefined(); // unknown until the first read answers
    await cache.settled();
    expect(cache.current('c1')).toEqual({ capacity: 10, remaining: 10 });
    reader.answer({ capacity: 10, remaining: 0 });
    for (let i = 0; i < 7; i++) {
      clock.advance(250);
      expect(cache.current('c1')).toEqual({ capacity: 10, remaining: 10 });
      await cache.settled();
    }
    expect(reader.calls).toHaveLength(1);
    clock.advance(250); // 2 s after the first read started
    cache.current('c1');
    await cache.settled();
    expect(reader.calls.map((c) => c.at)).toEqual(['2026-08-09T11:00:00.000Z', '2026-08-09T11:00:02.000Z']);
    expect(cache.current('c1')).toEqual({ capacity: 10, remaining: 0 });
    // Campaigns are read independently.
    cache.current('c2');
    await cache.settled();
    expect(reader.calls.filter((c) => c.campaignId === 'c2')).toHaveLength(1);
  });

  it('keeps the last known figure when a read fails, and reads again after the next interval', async () => {
    const clock = new ManualClock('2026-08-09T11:00:00Z');
    const reader = scriptedReader();
    const errors: unknown[] = [];
    const cache = new RemainingDosesCache(reader.read, clock, { intervalMs: 2_000, onError: (_, error) => errors.push(error), elapsedMs: () => 0 });
    cache.current('c1');
    await cache.settled();
    reader.answer(new Error('connection refused'));
    clock.advance(2_000);
    expect(cache.current('c1')).toEqual({ capacity: 10, remaining: 10 });
    await cache.settled();
    expect(cache.current('c1')).toEqual({ capacity: 10, remaining: 10 });
    expect(cache.failures).toBe(1);
    expect(errors).toHaveLength(1);
    reader.answer({ capacity: 10, remaining: 3 });
    clock.advance(2_000);
    cache.current('c1');
    await cache.settled();
    expect(cache.current('c1')).toEqual({ capacity: 10, remaining: 3 });
  });

  it('never waits for a slow read, and starts no second one while the first is under way', async () => {
    const { clock, reader, cache } = standardCache();
    const release = reader.hold();
    expect(cache.current('c1')).toBeUndefined();
    clock.advance(10_000);
    expect(cache.current('c1')).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve)); // the read has started and waits on the database
    expect(reader.calls).toHaveLength(1);
    release();
    await cache.settled();
    expect(cache.current('c1')).toEqual({ capacity: 10, remaining: 10 });
  });

  it('re-reads at once when the clock steps back', async () => {
    const { clock, reader, cache } = standardCache();
    cache.current('c1');
    await cache.settled();
    clock.advance(-60_000);
    cache.current('c1');
    await cache.settled();
    expect(reader.calls).toHaveLength(2);
  });

  it('waits longer after a costly read, so reads take at most their share of a connection, within a ceiling', async () => {
    const clock = new ManualClock('2026-08-09T11:00:00Z');
    const reader = scriptedReader();
    let realMs = 0;
    const costing = (ms: number) => new RemainingDosesCache(async (id, now) => ((realMs += ms), reader.read(id, now)), clock, { intervalMs: 2_000, costShare: 0.1, elapsedMs: () => realMs });
    const ask = async (cache: RemainingDosesCache, advanceMs: number) => {
      clock.advance(advanceMs);
      cache.current('c1');
      await cache.settled();
    };
    // Each read costs 500 ms of real time: at a tenth of a connection, the next one waits 5 s.
    const cache = costing(500);
    await ask(cache, 0);
    await ask(cache, 4_999);
    expect(reader.calls).toHaveLength(1);
    await ask(cache, 1);
    expect(reader.calls).toHaveLength(2);
    // A read of a minute waits the ceiling (30 s), not ten minutes.
    const slow = costing(60_000);
    await ask(slow, 0);
    await ask(slow, 30_000);
    expect(reader.calls).toHaveLength(4);
  });
});

describe('sold out', () => {
  it('is known, loaded and all booked — not unknown, and not a campaign with no doses loaded', () => {
    expect(isSoldOut(undefined)).toBe(false);
    expect(isSoldOut({ capacity: 0, remaining: 0 })).toBe(false);
    expect(isSoldOut({ capacity: 4, remaining: 1 })).toBe(false);
    expect(isSoldOut({ capacity: 4, remaining: 0 })).toBe(true);
  });
});
