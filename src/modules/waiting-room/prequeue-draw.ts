import { randomInt } from 'node:crypto';
import { MAX_ROUNDS } from '../campaigns/index.ts';

/**
 * The pre-queue's secret draws. Every pre-queue member of every round sits in one order, scored
 * round × 2^40 + draw: a round's members sort together, by their draw, and a member's rank within
 * its round is its rank minus the members of earlier rounds (one sorted set in Redis, O(log N)).
 * Scores stay below 2^53 (MAX_ROUNDS × 2^40), so a double — a Redis score — holds them exactly.
 */
export const DRAW_BITS = 40;
export const ROUND_SPAN = 2 ** DRAW_BITS;

/**
 * A secret draw: a uniform 40-bit integer from the OS generator, made here, never shown to anyone,
 * so no client can predict or influence it. Ties (about n²/2^41 pairs in a round of n) are broken
 * by person key, a keyed hash the client cannot choose either. `randomInt` draws from a buffer of
 * the generator's bytes that node:crypto refills in bulk: `randomBytes(5)` per draw cost the Redis
 * join 7% of its CPU.
 */
export function secretDraw(): number {
  return randomInt(ROUND_SPAN);
}

/** Refuses a round a score cannot hold (a campaign has at most 200 windows, far below). */
export function checkRound(round: number): number {
  if (!Number.isInteger(round) || round < 0 || round >= MAX_ROUNDS) throw new RangeError(`a pre-queue round must be an integer in 0..${MAX_ROUNDS - 1}`);
  return round;
}

/** The order of a pre-queue member among all rounds' members. */
export function prequeueScore(round: number, draw: number): number {
  return checkRound(round) * ROUND_SPAN + draw;
}

/** The round a score belongs to. */
export function roundOfScore(score: number): number {
  return Math.floor(score / ROUND_SPAN);
}
