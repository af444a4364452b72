/**
 * Every Redis key of the waiting room, built here and nowhere else. A campaign's keys share the
 * hash tag `{campaignId}`, so they live in one Redis Cluster slot and one script may touch them
 * all. Values hold person keys (keyed hashes), never personal data.
 *
 * `{prefix}q:{campaignId}:state`      hash: rounds (how many opened), base:<r> (places issued when
 *                                     round r opened), issued (places handed out), servingUpTo,
 *                                     carry, lastTickMs, paused, pausedReason, closed, admitted,
 *                                     abandoned (places given up),
 *                                     rateMean, rateVar, rateSamples, targetRate
 * `{prefix}q:{campaignId}:places`     hash: person → first-come place (negative: the place they
 *                                     gave up, leave-7.lua; they are then not in line)
 * `{prefix}q:{campaignId}:prequeue`   sorted set: person scored round × 2^40 + a secret random
 *                                     draw (every round in one set); once round r opened a
 *                                     member's place is base:r + rank within the round + 1
 * `{prefix}q:{campaignId}:admissions` hash: person → admission id
 * `{prefix}q:{campaignId}:active`     sorted set: person scored by admission expiry (ms)
 * `{prefix}q:{campaignId}:abandoned`  sorted set: the positions given up (score and member: the
 *                                     position), never admitted, passed by the advance for free
 * `{prefix}q:{campaignId}:abandoned-log` list: the same positions in the order they were given up
 * `{prefix}q:{campaignId}:restoring`  string: the lock of the node restoring the campaign from
 *                                     its journal (Redis lost its data), with a time limit
 * `{prefix}q:{campaignId}:log`        list: "<seq> <event>", the changes recorded for the
 *                                     transparency log (queue-events.ts), numbered by the state
 *                                     hash's logSeq, until the sequencer has stored them
 * `{prefix}q:{campaignId}:sequencer`  string: the id of the node writing the log, with a time limit
 *
 * The state hash has `initializedAtMs` once the campaign is set up; scripts refuse until then.
 */
export interface CampaignKeys {
  state: string;
  places: string;
  prequeue: string;
  admissions: string;
  active: string;
  abandoned: string;
  abandonedLog: string;
  restoring: string;
  log: string;
  sequencer: string;
}

const CAMPAIGN_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Refuses a prefix that would carry a hash tag of its own (it would put every campaign in one slot). */
export function checkKeyPrefix(prefix: string): string {
  if (/[{}]/.test(prefix)) throw new Error('The Redis key prefix must not contain { or }');
  return prefix;
}

/** The keys of one campaign's waiting room. */
export function campaignKeys(prefix: string, campaignId: string): CampaignKeys {
  // The id goes inside a hash tag: a brace in it would move the tag and split the campaign's slot.
  if (!CAMPAIGN_ID.test(campaignId)) throw new Error('A campaign id must match ^[A-Za-z0-9_-]{1,64}$');
  const base = `${prefix}q:{${campaignId}}:`;
  return {
    state: `${base}state`,
    places: `${base}places`,
    prequeue: `${base}prequeue`,
    admissions: `${base}admissions`,
    active: `${base}active`,
    abandoned: `${base}abandoned`,
    abandonedLog: `${base}abandoned-log`,
    restoring: `${base}restoring`,
    log: `${base}log`,
    sequencer: `${base}sequencer`,
  };
}
