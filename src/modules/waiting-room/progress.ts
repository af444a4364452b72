import type { FastifyReply } from 'fastify';
import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import type { Campaign } from '../campaigns/index.ts';
import { formatSeoul } from '../../lib/seoul-time.ts';
import { waitFor, type Eta } from './domain/eta.ts';
import { issueAdmission, type Ticket } from './credentials.ts';
import type { QueueStatus } from './queue-status.schema.ts';
import { orUnavailable } from './take-place.ts';
import type { WaitingRoom } from './waiting-room.ts';

/*
 * A person's progress through a campaign's waiting room, the one state machine every entrance
 * calls (the routes of waiting-room.routes.ts and the join's fast path, join-fast-path.ts):
 *
 *   none ──join──▶ prequeue ──round opens: drawn──▶ placed ──servingUpTo passes──▶ admitted ──▶ booked
 *    │  ▲                                            ▲  │                               │
 *    └──┼───────────join (the round is open)─────────┘  └──leave──▶ left                └──▶ expired
 *       └────────────────join again: a new place at the back────────┘
 *
 * - none → prequeue | placed: `takePlace` (take-place.ts). Before a round opens, a join enters its
 *   pre-queue and gets a ticket without a position; once open, a join gets the next position.
 *   Joining again returns the same place (the store is keyed by person).
 * - prequeue → placed: at the round's opening the store draws its members into positions with the
 *   round's seed (prequeue-draw.ts); the ticket then learns its place from the store (`standing`).
 * - placed → admitted: `admit`, once the shared `servingUpTo` has passed the position; the store
 *   re-checks that against its own value, atomically, and records the admission before it is issued.
 * - admitted → booked: a booking made with the admission frees its place under the active cap
 *   (`WaitingRoom.admissionUsed`). admitted → expired: an admission not used within its lifetime
 *   (`YEYAK_ADMISSION_TTL_SECONDS`; extended while the person is active, booking-access.ts) lapses
 *   in the store, and the transparency log records the place as skipped.
 * - placed → left: `leave`, before `servingUpTo` reaches the place (after, there is nothing to give
 *   up). The store abandons the position for good — never admitted, passed by the advance at no
 *   cost to the rate, logged as `skip … abandoned` — and the ticket answers 410 from then on. A
 *   join after it is a new place at the back. A pre-queue entry leaves only once its round is drawn
 *   (the draw covers every member of the round).
 */

/** Where a ticket's holder stands now: their place (null while in a pre-queue) and the shared figures. */
export interface Standing {
  position: number | null;
  status: QueueStatus;
  ahead: number | null;
  eta: Eta;
  /** The place is at or below `servingUpTo`: the holder may ask for an admission. */
  admitted: boolean;
}

/** The ticket holder's standing: the ticket's signed place, or the store's once a pre-queue ticket is drawn; 410 once given up. */
export async function standing(room: WaitingRoom, campaign: Campaign, personKey: string, signedPosition: number | null): Promise<Standing> {
  const known = signedPosition === null ? await orUnavailable(room.store.lookup(campaign.id, personKey)) : { position: signedPosition };
  // Given up (the node's copy for a signed place; a pre-queue ticket's holder no longer in line).
  if (known === null || (known.position !== null && room.left.has(campaign.id, known.position))) throw new YeyakError('YEYAK_ERR_TICKET_LEFT');
  const position = known.position;
  const { status } = await room.board(campaign);
  const { ahead, eta } = waitFor(position, status);
  return { position, status, ahead, eta, admitted: position !== null && position <= status.servingUpTo };
}

/** The state a ticket's holder sees: `prequeue` while their place is not drawn in an open queue, else the queue's. */
export function stateOf(s: Standing): string {
  return s.position === null && s.status.state === 'open' ? 'prequeue' : s.status.state;
}

/**
 * placed → admitted: the admission for a ticket whose place `servingUpTo` has passed, issued once
 * the store's record of it is durable. Refused with 425 (and when to ask again) before then, while
 * paused or sold out; 403 once the campaign closed.
 */
export async function admit(ctx: Pick<Ctx, 'clock' | 'config' | 'metrics' | 'signer' | 'waitingRoom'>, reply: FastifyReply, campaign: Campaign, ticket: Ticket): Promise<{ admission: string; expiresAt: string }> {
  const room = ctx.waitingRoom;
  const now = ctx.clock.now();
  const s = await standing(room, campaign, ticket.personKey, ticket.position);
  if (s.status.state === 'closed') {
    ctx.metrics.admissionsRefused.inc({ campaign: campaign.id, reason: 'closed' });
    throw new YeyakError('YEYAK_ERR_NOT_ELIGIBLE', { details: { reason: 'CAMPAIGN_CLOSED' } });
  }
  const notYet = () => {
    const reason = s.status.state === 'paused' ? 'paused' : s.status.soldOut ? 'sold_out' : 'not_yet';
    ctx.metrics.admissionsRefused.inc({ campaign: campaign.id, reason });
    const { ahead, eta } = s;
    const details = { ahead, eta, state: s.status.state, soldOut: s.status.soldOut };
    return new YeyakError('YEYAK_ERR_NOT_ADMITTED_YET', { details, topLevel: { ahead, eta }, retryAfterSeconds: Math.min(60, Math.max(1, eta.p50Seconds ?? 5)) });
  };
  if (s.position === null || !s.admitted) throw notYet();
  // The store re-checks the place against its own (never older) servingUpTo, atomically.
  const ttlMs = ctx.config.admissionTtlSeconds * 1000;
  const record = await orUnavailable(room.store.admit(campaign.id, ticket.personKey, s.position, now.getTime(), ttlMs));
  if (!record) throw notYet();
  // Issued only once the store's record of it is committed (in-process store: group commit).
  await orUnavailable(room.durable(campaign.id));
  if (record.created) ctx.metrics.admissionsIssued.inc({ campaign: campaign.id });
  const expiresAt = new Date(record.expiresAtMs);
  const admission = await issueAdmission(ctx, reply, { personKey: ticket.personKey, by: ticket.by, campaignId: campaign.id, admissionId: record.id, expiresAt, personSeal: ticket.personSeal });
  return { admission, expiresAt: formatSeoul(expiresAt) };
}

const LEAVE_REFUSED = { served: 'YEYAK_ERR_ALREADY_SERVED', prequeue: 'YEYAK_ERR_PREQUEUE_NOT_DRAWN', 'not-in-line': 'YEYAK_ERR_NOT_IN_QUEUE' } as const;

/**
 * placed → left: gives up the ticket's place, durably (the in-process store's journal is written
 * first, as for a join), and returns its position. Idempotent: the same answer again. Refused
 * (409) once served, in a pre-queue not drawn yet, or for a place the store does not hold for them.
 */
export async function leave(ctx: Pick<Ctx, 'clock' | 'waitingRoom'>, campaign: Campaign, ticket: Ticket): Promise<number> {
  const room = ctx.waitingRoom;
  const nowMs = ctx.clock.now().getTime();
  const giveUp = () => orUnavailable(room.store.leave(campaign.id, ticket.personKey, ticket.position, nowMs));
  let result = await giveUp();
  // A place the store lost before journalling it comes back from the signed ticket first, as a join's would.
  if (result.outcome === 'not-in-line' && ticket.position !== null && (await orUnavailable(room.store.reinstate(campaign.id, ticket.personKey, ticket.position, nowMs))) === ticket.position) {
    result = await giveUp();
  }
  if (result.outcome !== 'left') throw new YeyakError(LEAVE_REFUSED[result.outcome]);
  await orUnavailable(room.durable(campaign.id));
  room.left.add(campaign.id, result.position);
  room.knownPlaces.forget(campaign.id, ticket.personKey);
  return result.position;
}
