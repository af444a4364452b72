import type { Ctx } from '../../context.ts';
import { YeyakError } from '../../errors.ts';
import { type Campaign, type JoinPlan, roundsDue } from '../campaigns/index.ts';
import { formatSeoul } from '../../lib/seoul-time.ts';
import { BOOKING_RULES, type Eligibility, eligibilityOf, eligibilityView, type KnownFacts } from '../eligibility/index.ts';
import type { PersonRecord, VerifiedSession } from '../identity/index.ts';
import { heldTicket, signTicket } from './credentials.ts';
import { queueState, type QueueState } from './domain/queue-state.ts';
import { joinPlanFor, roundsOf, scheduleOf } from './campaign-schedule.ts';
import type { WaitingRoom } from './waiting-room.ts';

/** Who asks for a place, and for whom. */
export interface PlaceRequest {
  campaign: Campaign;
  /** The person whose place it is (the dependent when a guardian queues for one). */
  person: PersonRecord;
  /** The guardian queueing for a dependent, else null. */
  by: string | null;
  /** What the session sealed at sign-in about the person (registry facts), when it is theirs. */
  sealed: KnownFacts | null;
  /** The ticket cookie the browser sent, if any (it reinstates a place the store lost). */
  ticketCookie: string | undefined;
  /** The person's own session seal, carried on in the ticket (see `Ticket.personSeal`). */
  personSeal: string | undefined;
}

export interface PlaceTaken {
  /** True the first time the person joined this campaign's queue. */
  created: boolean;
  ticket: string;
  position: number | null;
  state: QueueState;
}

/** A join's answer: the place, and its leaf index in the public log once the sequencer has stored it (else null). */
export interface JoinAnswer {
  ticket: string;
  position: number | null;
  state: QueueState;
  leafIndex: number | null;
}

/** The answer to a join (the route's and the fast path's): a place just handed out is not logged yet. */
export async function joinAnswer(ctx: Pick<Ctx, 'placeLeafIndexes'>, request: PlaceRequest, taken: PlaceTaken): Promise<JoinAnswer> {
  const logged = taken.created || !ctx.placeLeafIndexes ? null : ctx.placeLeafIndexes.of(request.campaign.id, request.person.personKey, taken.position);
  // Where the place stands in the log is for the holder's information: a failed look-up is not a failed join.
  const leafIndex = logged === null ? null : await logged.catch(() => null);
  return { ticket: taken.ticket, position: taken.position, state: taken.state, leafIndex };
}

/** The registry's answer for this campaign as sealed in the session at sign-in, if it has one. */
export function sealedFacts(session: VerifiedSession | undefined, campaignId: string): KnownFacts | null {
  const facts = session?.facts;
  return facts?.checkedCampaigns.includes(campaignId) ? { vaccinated: facts.vaccinatedFor.includes(campaignId) } : null;
}

/** Any store failure on the way to a place or an admission fails closed: 503, places kept. */
export async function orUnavailable<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof YeyakError) throw error;
    throw new YeyakError('YEYAK_ERR_QUEUE_UNAVAILABLE', { retryAfterSeconds: 2 });
  }
}

/**
 * `POST …/queue/tickets`: one place per person per campaign, the same one from any device, any
 * number of times. Ineligible people are refused before they take a place. Shared by the Fastify
 * route and the join fast path (`join-fast-path.ts`), so both answer alike.
 */
export async function takePlace(ctx: Pick<Ctx, 'campaigns' | 'clock' | 'config' | 'db' | 'metrics' | 'registry' | 'signer'>, room: WaitingRoom, request: PlaceRequest): Promise<PlaceTaken> {
  const { campaign, person } = request;
  const now = ctx.clock.now();
  const schedule = scheduleOf(campaign);
  const { snapshot } = await room.board(campaign);
  const state = queueState(schedule, now, { paused: snapshot.paused, closed: snapshot.closed });
  if (state === 'scheduled') {
    const seconds = Math.ceil((schedule.queueOpensAt.getTime() - now.getTime()) / 1000);
    throw new YeyakError('YEYAK_ERR_NOT_ADMITTED_YET', { message: 'The queue has not opened yet.', details: { queueOpensAt: formatSeoul(schedule.queueOpensAt) }, retryAfterSeconds: Math.min(3600, seconds) });
  }

  // Someone this node already handed their place back to (a reload, another device): the same
  // place again, with no store call (`known-places.ts`). Whatever their eligibility or the queue's
  // state now, a place once taken is theirs, as the store would say.
  const remembered = room.knownPlaces.get(campaign.id, person.personKey);
  // A place given up on another node is known here within a refresh: then the store decides.
  if (remembered !== undefined && !room.left.has(campaign.id, remembered)) {
    ctx.metrics.joinsRemembered.inc();
    return placeTaken(ctx, request, state, false, remembered);
  }

  // The store lost this person's place before journalling it (Redis lost its data): the ticket
  // the browser still holds, signed by us, puts them back where they were — or returns the place
  // the store knows.
  const held = heldTicket(ctx, request.ticketCookie, campaign.id, person.personKey);
  if (held?.position) {
    const place = await orUnavailable(room.store.reinstate(campaign.id, person.personKey, held.position, now.getTime()));
    if (place !== null) return durably(handedBack(ctx, room, request, state, place), room, request.campaign.id);
  }

  // The person's own window decides their round: its pre-queue from (opening − lead), first come
  // from the opening. Ineligible people are refused before they take a place; in a pre-queue, as
  // of their round's opening.
  const plan = joinPlanFor(campaign, person.birthDate, now);
  // With the registry's answer sealed in the session the rules read nothing: check them first and
  // take the place in one store call (joining is idempotent). Without it, someone already in line
  // (another device, a reload) gets the same place back at once, before any database read:
  // eligibility was checked when the place was taken, and booking checks it again.
  let eligibility = request.sealed ? await eligibilityAsOfRound(ctx, request, plan) : null;
  if (!eligibility || !mayJoin(eligibility, state, plan)) {
    const known = await orUnavailable(room.store.lookup(campaign.id, person.personKey));
    if (known) return durably(handedBack(ctx, room, request, state, known.position), room, request.campaign.id);
    eligibility ??= await eligibilityAsOfRound(ctx, request, plan);
    if (!mayJoin(eligibility, state, plan)) {
      const view = eligibilityView(campaign.id, eligibility);
      const reason = state === 'closed' ? 'CAMPAIGN_CLOSED' : eligibility.eligible ? 'NOT_YOUR_WINDOW' : view.reason;
      throw new YeyakError('YEYAK_ERR_NOT_ELIGIBLE', { details: { reason, window: view.window } });
    }
  }
  const round = plan.kind === 'prequeue' ? plan.round : null;
  const joined = await orUnavailable(room.store.join(campaign.id, person.personKey, now.getTime(), round, roundsDue(roundsOf(campaign), now.getTime())));
  return durably(joined.created ? placeTaken(ctx, request, state, true, joined.position) : handedBack(ctx, room, request, state, joined.position), room, request.campaign.id);
}

/**
 * The answer once its place is committed (BRIEF §4.3, §4.6: a 2xx is durable): the in-process
 * store's journal is written first, together with every other join waiting (group commit); a
 * write that fails for this campaign answers 503 and the place, kept, is written with the next one
 * (another campaign's failure does not hold this one up).
 */
async function durably(taken: PlaceTaken, room: WaitingRoom, campaignId: string): Promise<PlaceTaken> {
  await orUnavailable(room.durable(campaignId));
  return taken;
}

// The helpers below are module functions rather than closures inside `takePlace`: under tsx
// (`npm start`) every closure made per call is also named per call (`__name`), which cost the join
// a few per cent of its CPU.

/** The answer for a place: its signed ticket and its state. */
function placeTaken(ctx: Pick<Ctx, 'clock' | 'signer'>, request: PlaceRequest, state: QueueState, created: boolean, position: number | null): PlaceTaken {
  const { person, campaign, personSeal } = request;
  return {
    created,
    position,
    // A place still to be drawn (the person's round has not opened) is in the pre-queue, whatever the queue's state.
    state: position === null ? 'prequeue' : state,
    ticket: signTicket(ctx, { personKey: person.personKey, by: request.by, campaignId: campaign.id, position, ...(personSeal === undefined ? {} : { personSeal }) }),
  };
}

/** The answer for a place the person already held, which this node now remembers. */
function handedBack(ctx: Pick<Ctx, 'clock' | 'signer'>, room: WaitingRoom, request: PlaceRequest, state: QueueState, position: number | null): PlaceTaken {
  room.knownPlaces.handedBack(request.campaign.id, request.person.personKey, position);
  return placeTaken(ctx, request, state, false, position);
}

/** The person's eligibility as of their round's opening (the plan's `asOf`). */
function eligibilityAsOfRound(ctx: Pick<Ctx, 'campaigns' | 'config' | 'db' | 'registry'>, request: PlaceRequest, plan: JoinPlan): Promise<Eligibility> {
  return eligibilityOf({ ...ctx, clock: { now: () => plan.asOf } }, request.campaign, request.person, BOOKING_RULES, request.sealed ?? {});
}

function mayJoin(eligibility: Eligibility, state: QueueState, plan: JoinPlan): boolean {
  return eligibility.eligible && state !== 'closed' && plan.kind !== 'early';
}
