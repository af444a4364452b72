/**
 * The fixed parts of a simulated night: the opening instant, the campaign as the waiting room sees
 * it, the events and states packed into numbers and bytes, the per-second series, and the tallies
 * made once the night is over.
 */
import type { Campaign } from '../../src/modules/campaigns/campaign.ts';
import { REFRESH_MS } from '../../src/modules/waiting-room/waiting-room.ts';
import type { SimulationConfig } from './simulation-config.ts';
import type { SeriesPerSecond } from './simulation-result.ts';

/** 20:00 in Seoul on a summer night: the opening instant. */
export const OPENING_MS = Date.parse('2026-08-09T11:00:00Z');
export const CAMPAIGN_ID = 'national';
/** Time advances one waiting-room refresh at a time. */
export const TICK_SECONDS = REFRESH_MS / 1000;

/** Events, packed with the person's index as `person * 8 + event`. */
export const Ev = { ExtraDevice: 1, EarlyProbe: 2, Admit: 3, Book: 4, Abandon: 5, Cancel: 6 } as const;
export type Ev = (typeof Ev)[keyof typeof Ev];

/** Where each person is in the journey (a byte per person). */
export const State = { Waiting: 0, Admitted: 1, Booked: 2, Abandoned: 3, GaveUp: 4, SoldOut: 5, Bounced: 6, Cancelled: 7 } as const;
export type State = (typeof State)[keyof typeof State];

const STATE_NAMES = ['still waiting', 'admitted, not yet booked', 'booked', 'left while waiting', 'gave up after failed bookings', 'sold out (409)', 'bounced', 'booked, then cancelled'];

/** The campaign the simulated waiting room serves: a pre-queue, then one window for everyone. */
export function campaignFor(config: SimulationConfig): Campaign {
  return {
    id: CAMPAIGN_ID,
    name: 'National opening night (simulated)',
    cohort: { bornFrom: '1940-01-01', bornTo: '2005-12-31' },
    vaccine: { name: 'mRNA', doses: 2, intervalDays: 42 },
    queueOpensAt: new Date(OPENING_MS - config.crowd.prequeueSeconds * 1000),
    windows: [{ id: 'open', kind: 'open', opensAt: new Date(OPENING_MS), closesAt: new Date(OPENING_MS + 7 * 86_400_000), birthDayDigits: null, bornFrom: null, bornTo: null }],
    proxyAllowed: false,
    admission: config.admission,
  };
}


/** Per-second series of a night of `seconds`, index 0 being `startSecond` from the opening. */
export function newSeries(seconds: number, startSecond: number): SeriesPerSecond & { polls: Float64Array } {
  const series = () => new Float64Array(seconds);
  return { startSecond, requests: series(), polls: series(), admissions: series(), bookings: series(), queueLength: series(), admitRate: series(), targetRate: series(), activeAdmissions: series(), bookingBacklog: series() };
}

/** People by where their night ended. */
export function countOutcomes(state: Uint8Array): Record<string, number> {
  const outcomes: Record<string, number> = {};
  for (let i = 0; i < state.length; i++) {
    const name = STATE_NAMES[state[i]!]!;
    outcomes[name] = (outcomes[name] ?? 0) + 1;
  }
  return outcomes;
}

/** Requests, and status polls among them, in the minute from second index `from`. */
export function firstMinute(series: { requests: Float64Array; polls: Float64Array }, from: number): { requests: number; polls: number } {
  let requests = 0;
  let polls = 0;
  for (let s = from; s < from + 60; s++) {
    requests += series.requests[s] ?? 0;
    polls += series.polls[s] ?? 0;
  }
  return { requests, polls };
}
