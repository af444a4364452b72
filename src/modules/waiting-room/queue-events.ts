/**
 * The changes a queue store records for the campaign's transparency log
 * (src/modules/transparency/queue-sequencer.ts turns them into the log's entries), in the order
 * they happened: each is recorded by the same atomic step as the change itself. People appear by
 * person key only here; the log carries commitments instead.
 */
export type QueueEvent =
  | { kind: 'place'; position: number; atMs: number; personKey: string }
  /** A place reinstated from its holder's signed ticket (the store had lost it): logged unless the log holds it already. */
  | { kind: 'restore'; position: number; atMs: number; personKey: string }
  | { kind: 'enter'; round: number; atMs: number; personKey: string }
  /** A round opened: its `size` members took the places base + 1 … base + size. */
  | { kind: 'open'; round: number; atMs: number; base: number; size: number }
  | { kind: 'serve'; servingUpTo: number; atMs: number }
  | { kind: 'admit'; position: number; atMs: number }
  /** An admission that expired unused (at `atMs`, its expiry), or a place its holder gave up (`leave`). */
  | { kind: 'skip'; position: number; atMs: number; reason: 'expired' | 'abandoned' }
  | { kind: 'pause' | 'resume' | 'close' | 'reopen'; atMs: number };

/** Recorded events, numbered from 1 within an epoch (a store that lost its state starts a new one). */
export interface RecordedEvents {
  epoch: string;
  events: { seq: number; event: QueueEvent }[];
}

/**
 * What a store needs to record for the log: switched on with a log key, and the pre-queue's draw
 * derived from the round's seed (transparency/queue-openings.ts) instead of a random one.
 */
export interface QueueLogging {
  draw(campaignId: string, round: number, personKey: string): number;
}

const INT = /^(0|[1-9]\d*)$/;

/** Reads back an event as the Redis scripts write it: "<seq> <kind> <fields…>" (includes/log-event.lua). */
export function parseRecordedEvent(line: string): { seq: number; event: QueueEvent } {
  const [seqText, kind, ...fields] = line.split(' ');
  const ints = (n: number) => {
    if (fields.length < n || !fields.slice(0, n).every((f) => INT.test(f))) throw new Error(`a malformed queue event: ${line}`);
    return fields.slice(0, n).map(Number);
  };
  const seq = Number(seqText);
  const event = ((): QueueEvent => {
    switch (kind) {
      case 'place':
      case 'restore': {
        const [position = 0, atMs = 0] = ints(2);
        return { kind, position, atMs, personKey: fields[2] ?? '' };
      }
      case 'enter': {
        const [round = 0, atMs = 0] = ints(2);
        return { kind, round, atMs, personKey: fields[2] ?? '' };
      }
      case 'open': {
        const [round = 0, atMs = 0, base = 0, size = 0] = ints(4);
        return { kind, round, atMs, base, size };
      }
      case 'serve': {
        const [servingUpTo = 0, atMs = 0] = ints(2);
        return { kind, servingUpTo, atMs };
      }
      case 'admit': {
        const [position = 0, atMs = 0] = ints(2);
        return { kind, position, atMs };
      }
      case 'skip': {
        const [position = 0, atMs = 0] = ints(2);
        const reason = fields[2];
        if (reason !== 'expired' && reason !== 'abandoned') throw new Error(`a malformed queue event: ${line}`);
        return { kind, position, atMs, reason };
      }
      case 'pause':
      case 'resume':
      case 'close':
      case 'reopen':
        return { kind, atMs: ints(1)[0] ?? 0 };
      default:
        throw new Error(`an unknown queue event: ${line}`);
    }
  })();
  if (!INT.test(seqText ?? '') || ((event.kind === 'place' || event.kind === 'restore' || event.kind === 'enter') && !event.personKey)) throw new Error(`a malformed queue event: ${line}`);
  return { seq, event };
}
