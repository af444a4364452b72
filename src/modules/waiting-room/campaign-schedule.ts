import { type Campaign, type JoinPlan, nextWindowFor, planJoin, type RoundSchedule, roundScheduleOf } from '../campaigns/index.ts';
import type { QueueSchedule } from './domain/queue-state.ts';

/** The campaign's queue schedule: the queue opens, the first window opens, the last one closes. */
export function scheduleOf(campaign: Campaign): QueueSchedule {
  const opens = campaign.windows.map((w) => w.opensAt.getTime());
  const closes = campaign.windows.map((w) => w.closesAt.getTime());
  return { queueOpensAt: campaign.queueOpensAt, opensAt: new Date(Math.min(...opens)), closesAt: new Date(Math.max(...closes)) };
}

const roundSchedules = new WeakMap<Campaign, RoundSchedule>();

/** The campaign's rounds (one per distinct window opening), worked out once per campaign object. */
export function roundsOf(campaign: Campaign): RoundSchedule {
  let rounds = roundSchedules.get(campaign);
  if (!rounds) roundSchedules.set(campaign, (rounds = roundScheduleOf(campaign.queueOpensAt, campaign.windows)));
  return rounds;
}

/** How a person's join at `now` is placed: their own next window decides the round (campaigns/domain/rounds.ts). */
export function joinPlanFor(campaign: Campaign, birthDate: string, now: Date): JoinPlan {
  const own = nextWindowFor(campaign.windows, birthDate, now);
  return planJoin(roundsOf(campaign), own ? own.opensAt.getTime() : null, now.getTime());
}
