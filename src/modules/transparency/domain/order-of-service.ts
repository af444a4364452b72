import { decodeEntry, EntryError, type LogEntry } from './log-entries.ts';
import { drawOf, orderHashOf, seedHashOf } from './prequeue-order.ts';

/**
 * The rules a campaign's log must keep (docs/transparency.md "The auditor"), checked by replaying
 * its entries in order: places handed out only at the queue's end, each round's seed committed
 * before anyone enters it and its draw re-run from the seed, the queue served in order and only
 * over places handed out, nobody admitted before their turn, and a place given up only before its
 * turn and never admitted after. Anyone can run this on a log
 * they downloaded; it needs nothing from Yeyak but the entries.
 */

/** How far back an entry's time may go: the nodes' clocks agree within 3 s of the database's each. */
const CLOCK_TOLERANCE_MS = 10_000;

/** How many orders of equal draws are tried at most before a draw is called wrong. */
const MAX_TIE_ORDERS = 5040;

export interface Replay {
  /** Each broken rule, with the leaf index where it broke. */
  violations: string[];
  /** Each holder's position, by commitment (base64). */
  positions: Map<string, number>;
  /** Positions admitted, with the time of their first admission. */
  admitted: Map<number, number>;
  servingUpTo: number;
  /** The last place handed out. */
  issuedUpTo: number;
  counts: Record<LogEntry['kind'], number>;
}

interface Round {
  seedHash: Buffer;
  entered: Buffer[];
  drawn: boolean;
}

/** Replays a log's entries (their bytes as hashed) and reports every rule they break. */
export function replayLog(entries: readonly Uint8Array[]): Replay {
  const violations: string[] = [];
  const positions = new Map<string, number>();
  const placed = new Set<number>();
  const admitted = new Map<number, number>();
  /** Positions given up by their holders (`skip … abandoned`). */
  const abandoned = new Set<number>();
  const rounds = new Map<number, Round>();
  const counts = { place: 0, restore: 0, seed: 0, enter: 0, draw: 0, serve: 0, admit: 0, skip: 0, pause: 0, resume: 0, close: 0, reopen: 0 };
  let issuedUpTo = 0;
  let servingUpTo = 0;
  let paused = false;
  let closed = false;
  let latestMs = 0;

  entries.forEach((bytes, leaf) => {
    const broke = (rule: string) => violations.push(`leaf ${leaf}: ${rule}`);
    let entry: LogEntry;
    try {
      entry = decodeEntry(bytes);
    } catch (error) {
      if (error instanceof EntryError) return broke(`not an entry (${error.message})`);
      throw error;
    }
    counts[entry.kind] += 1;
    if (entry.atMs < latestMs - CLOCK_TOLERANCE_MS) broke(`its time goes back ${latestMs - entry.atMs} ms`);
    latestMs = Math.max(latestMs, entry.atMs);
    const hold = (commitment: Buffer, position: number) => {
      const id = commitment.toString('base64');
      // One place per holder at a time: a holder who gave theirs up may join again at the back.
      const held = positions.get(id);
      if (held !== undefined && !abandoned.has(held)) broke(`a second place for one holder (${id})`);
      positions.set(id, position);
      placed.add(position);
    };
    switch (entry.kind) {
      case 'place':
        if (entry.position <= issuedUpTo) broke(`place ${entry.position} handed out behind the queue's end (${issuedUpTo})`);
        issuedUpTo = Math.max(issuedUpTo, entry.position);
        hold(entry.commitment, entry.position);
        break;
      case 'restore':
        // A place from before a loss, recorded late: its position may be behind the queue's end, but never one someone holds.
        if (placed.has(entry.position)) broke(`place ${entry.position} restored, but it is held already`);
        issuedUpTo = Math.max(issuedUpTo, entry.position);
        hold(entry.commitment, entry.position);
        break;
      case 'seed':
        if (rounds.has(entry.round)) broke(`a second seed for round ${entry.round}`);
        else rounds.set(entry.round, { seedHash: entry.seedHash, entered: [], drawn: false });
        break;
      case 'enter': {
        const round = rounds.get(entry.round);
        if (!round) broke(`an entry in round ${entry.round} before its seed was committed`);
        else if (round.drawn) broke(`an entry in round ${entry.round} after its draw`);
        else round.entered.push(entry.commitment);
        break;
      }
      case 'draw': {
        const round = rounds.get(entry.round);
        if (!round) return broke(`round ${entry.round} drawn without a committed seed`);
        if (round.drawn) return broke(`round ${entry.round} drawn twice`);
        round.drawn = true;
        if (!seedHashOf(entry.seed).equals(round.seedHash)) broke(`round ${entry.round}'s seed is not the one committed`);
        if (entry.count !== round.entered.length) broke(`round ${entry.round} drawn with ${entry.count} entries, ${round.entered.length} entered`);
        if (entry.base < issuedUpTo) broke(`round ${entry.round} placed from ${entry.base + 1}, behind the queue's end (${issuedUpTo})`);
        const order = drawnOrderMatching(entry.seed, round.entered, entry.orderHash);
        if (!order) broke(`round ${entry.round}'s order is not the one its seed draws`);
        (order ?? round.entered).forEach((commitment, rank) => hold(commitment, entry.base + rank + 1));
        issuedUpTo = Math.max(issuedUpTo, entry.base + entry.count);
        break;
      }
      case 'serve':
        if (entry.servingUpTo < servingUpTo) broke(`served back from ${servingUpTo} to ${entry.servingUpTo}`);
        if (entry.servingUpTo > issuedUpTo) broke(`served up to ${entry.servingUpTo}, past the last place handed out (${issuedUpTo})`);
        if (paused || closed) broke(`served while ${paused ? 'paused' : 'closed'}`);
        servingUpTo = Math.max(servingUpTo, entry.servingUpTo);
        break;
      case 'admit':
        if (entry.position > servingUpTo) broke(`place ${entry.position} admitted before its turn (serving up to ${servingUpTo})`);
        if (!placed.has(entry.position)) broke(`place ${entry.position} admitted but never handed out`);
        if (closed) broke(`place ${entry.position} admitted while the queue was closed`);
        if (abandoned.has(entry.position)) broke(`place ${entry.position} admitted after its holder gave it up`);
        if (!admitted.has(entry.position)) admitted.set(entry.position, entry.atMs);
        break;
      case 'skip':
        if (entry.reason === 'expired') {
          if (!admitted.has(entry.position)) broke(`place ${entry.position} skipped as expired but never admitted`);
          break;
        }
        // Given up: only a place handed out, before its turn (nothing to give up after), once.
        if (!placed.has(entry.position)) broke(`place ${entry.position} given up but never handed out`);
        else if (admitted.has(entry.position)) broke(`place ${entry.position} given up after it was admitted`);
        else if (entry.position <= servingUpTo) broke(`place ${entry.position} given up after its turn (serving up to ${servingUpTo})`);
        if (abandoned.has(entry.position)) broke(`place ${entry.position} given up twice`);
        abandoned.add(entry.position);
        break;
      case 'pause':
      case 'resume':
        if (paused === (entry.kind === 'pause')) broke(`${entry.kind}d twice`);
        paused = entry.kind === 'pause';
        break;
      case 'close':
      case 'reopen':
        if (closed === (entry.kind === 'close')) broke(`${entry.kind === 'close' ? 'closed' : 'reopened'} twice`);
        closed = entry.kind === 'close';
        break;
    }
  });
  return { violations, positions, admitted, servingUpTo, issuedUpTo, counts };
}

/**
 * The round's order if its hash is the one logged: sorted by draw, equal draws by commitment —
 * or, since the stores break equal draws by person key (which an auditor cannot see), any order
 * of each group of equal draws. Null if no such order has the logged hash.
 */
export function drawnOrderMatching(seed: Buffer, entered: readonly Buffer[], orderHash: Buffer): Buffer[] | null {
  return orderMatching(
    entered.map((commitment) => ({ commitment, draw: drawOf(seed, commitment) })),
    orderHash,
  );
}

/** As `drawnOrderMatching`, from each entry's draw. */
export function orderMatching(entries: readonly { commitment: Buffer; draw: number }[], orderHash: Buffer): Buffer[] | null {
  const drawn = [...entries].sort((a, b) => a.draw - b.draw || Buffer.compare(a.commitment, b.commitment));
  const order = drawn.map((d) => d.commitment);
  if (orderHashOf(order).equals(orderHash)) return order;
  // Groups of equal draws: where they start in the order, and their members.
  const ties: { start: number; members: Buffer[] }[] = [];
  drawn.forEach((d, i) => {
    if (i > 0 && drawn[i - 1]!.draw === d.draw) {
      const last = ties.at(-1);
      if (last && last.start + last.members.length === i) last.members.push(d.commitment);
      else ties.push({ start: i - 1, members: [drawn[i - 1]!.commitment, d.commitment] });
    }
  });
  let orders = 1;
  for (const tie of ties) for (let k = 2; k <= tie.members.length; k++) orders *= k;
  if (ties.length === 0 || orders > MAX_TIE_ORDERS) return null;
  for (const choice of choices(ties.map((tie) => [...permutations(tie.members)]))) {
    choice.forEach((members, t) => order.splice(ties[t]!.start, members.length, ...members));
    if (orderHashOf(order).equals(orderHash)) return order;
  }
  return null;
}

/** Every way to take one option from each list (few lists: one per group of equal draws). */
function* choices<T>(lists: readonly T[][]): Generator<T[]> {
  if (lists.length === 0) return yield [];
  const [first, ...rest] = lists;
  for (const head of first!) for (const tail of choices(rest)) yield [head, ...tail];
}

function* permutations<T>(items: readonly T[]): Generator<T[]> {
  if (items.length <= 1) return yield [...items];
  for (let i = 0; i < items.length; i++) {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) yield [items[i]!, ...rest];
  }
}
