import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/lib/clock.ts';
import type { Campaign } from '../src/modules/campaigns/campaign.ts';
import type { DosesFigure } from '../src/modules/waiting-room/domain/sold-out.ts';
import { RemainingDosesCache } from '../src/modules/waiting-room/remaining-doses-cache.ts';
import { WaitingRoom, type QueueStatus } from '../src/modules/waiting-room/waiting-room.ts';
import { storeKinds, T0 } from './support/queue-store-kinds.ts';

const DAY = 86_400_000;

/** A campaign open since T0 admitting two people a second (fixed), the cap far away. */
function campaignOf(id: string): Campaign {
  return {
    id,
    name: 'hold',
    cohort: { bornFrom: '1940-01-01', bornTo: '2005-12-31' },
    vaccine: { name: 'mRNA', doses: 2, intervalDays: 21 },
    queueOpensAt: new Date(T0 - 3_600_000),
    windows: [{ id: 'open', kind: 'open', opensAt: new Date(T0), closesAt: new Date(T0 + 7 * DAY), birthDayDigits: null, bornFrom: null, bornTo: null }],
    proxyAllowed: false,
    admission: { mode: 'fixed', ratePerSecond: 2, maxActive: 10_000 },
  };
}

// The real waiting room over each store; the doses come from a figure the test sets (the
// database's side, with its own tests in test/sold-out.test.ts).
describe.each(storeKinds)('a sold-out hold in the $name store', (kind) => {
  it('moves nothing and learns no rate while held, and the pace after it is the pace before it', async () => {
    const d = await kind.deploy();
    const store = d.nodes[0]!;
    const campaign = campaignOf(d.campaignId);
    const clock = new ManualClock(new Date(T0));
    const room = new WaitingRoom(store, { list: async () => [campaign] }, clock);
    let figure: DosesFigure = { capacity: 100, remaining: 60 };
    room.doses = new RemainingDosesCache(async () => figure, clock);
    for (let i = 0; i < 400; i++) await store.join(campaign.id, `person-${i}`, T0, null);
    const status = (): QueueStatus => JSON.parse(room.statusBody(campaign.id)!) as QueueStatus;
    async function run(seconds: number) {
      for (let ms = 0; ms < seconds * 1000; ms += 250) {
        clock.advance(250);
        await room.refresh();
        await room.doses!.settled();
      }
    }

    await run(30);
    const before = status();
    expect(before).toMatchObject({ soldOut: false, remainingDoses: 60 });
    expect(before.etaRatePerSecond).toBeCloseTo(2, 1);

    figure = { capacity: 100, remaining: 0 };
    await run(3);
    const held = status();
    expect(held).toMatchObject({ soldOut: true, remainingDoses: 0, etaRatePerSecond: null });
    await run(90);
    const still = status();
    expect(still.servingUpTo).toBe(held.servingUpTo);
    expect(still.issuedUpTo).toBe(400);
    // The store's measured rate learnt nothing from the hold (a rate of 0 is not a pace).
    expect(still.admitRatePerSecond).toBeCloseTo(2, 0);
    expect((await store.snapshot(campaign.id, clock.now().getTime())).targetRatePerSecond).toBe(0);

    figure = { capacity: 100, remaining: 2 };
    await run(3);
    const after = status();
    expect(after.soldOut).toBe(false);
    expect(after.servingUpTo).toBeGreaterThan(held.servingUpTo);
    // Not diluted by 90 s of standing still: the estimate divides by the pace the queue moves at.
    expect(after.etaRatePerSecond).toBeCloseTo(2, 1);
    await room.stop();
  });
});
