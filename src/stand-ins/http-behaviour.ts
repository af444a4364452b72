import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * How a stand-in of a slow outside system misbehaves: latency, a small concurrency limit, random
 * failures and outages. Shared by the registry and the message gateway stand-ins.
 */
export interface Behaviour {
  /** Each answer takes between these many ms. */
  latencyMs: [number, number];
  /** Requests served at once; more are refused with 503 (the legacy system's small pool). */
  concurrency: number;
  /** Share of requests answered 500 after their latency, 0..1. */
  failureRate: number;
  /** Scheduled outages: every `everyS` seconds the system is down for `durationS` (0 = never). */
  outage: { everyS: number; durationS: number };
  /** Share of requests done but answered 500 (the reply lost): only idempotency keys keep retries exactly-once. */
  ackLossRate: number;
  /** Set by the admin API: down (503 to everything but /_admin) until set back. */
  down: boolean;
}

export const DEFAULT_BEHAVIOUR: Behaviour = { latencyMs: [50, 500], concurrency: 8, failureRate: 0.01, outage: { everyS: 0, durationS: 0 }, ackLossRate: 0, down: false };

export interface Gate {
  /** Runs the request through the misbehaviour; false when it was already answered (refused or failed). */
  admit(res: ServerResponse): Promise<{ release(): void } | null>;
  inFlight(): number;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** The gate every non-admin request passes: outage → 503, pool full → 503, then latency, then maybe 500. */
export function behaviourGate(behaviour: Behaviour, random: () => number = Math.random, now: () => number = Date.now): Gate {
  let inFlight = 0;
  const inScheduledOutage = () => {
    const { everyS, durationS } = behaviour.outage;
    if (everyS <= 0 || durationS <= 0) return false;
    return (now() / 1000) % everyS < durationS;
  };
  return {
    inFlight: () => inFlight,
    async admit(res) {
      if (behaviour.down || inScheduledOutage()) {
        send(res, 503, { error: 'REGISTRY_DOWN' }, { 'retry-after': '30' });
        return null;
      }
      if (inFlight >= behaviour.concurrency) {
        send(res, 503, { error: 'BUSY' }, { 'retry-after': '1' });
        return null;
      }
      inFlight++;
      const [min, max] = behaviour.latencyMs;
      await new Promise((r) => setTimeout(r, min + random() * Math.max(0, max - min)));
      if (random() < behaviour.failureRate) {
        inFlight--;
        send(res, 500, { error: 'INTERNAL' });
        return null;
      }
      return { release: () => void inFlight-- };
    },
  };
}

/** Reads a JSON body (at most 1 MiB); null when it is not JSON. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1_048_576) return null;
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return null;
  }
}

export { send as sendJson };

/** Applies `{down, failureRate, latencyMs, concurrency, outage}` from the admin API; returns an error text or null. */
export function patchBehaviour(behaviour: Behaviour, patch: unknown): string | null {
  if (typeof patch !== 'object' || patch === null) return 'body must be an object';
  const p = patch as Partial<Behaviour>;
  if (p.down !== undefined) {
    if (typeof p.down !== 'boolean') return 'down must be a boolean';
    behaviour.down = p.down;
  }
  if (p.failureRate !== undefined) {
    if (typeof p.failureRate !== 'number' || p.failureRate < 0 || p.failureRate > 1) return 'failureRate must be 0..1';
    behaviour.failureRate = p.failureRate;
  }
  if (p.ackLossRate !== undefined) {
    if (typeof p.ackLossRate !== 'number' || p.ackLossRate < 0 || p.ackLossRate > 1) return 'ackLossRate must be 0..1';
    behaviour.ackLossRate = p.ackLossRate;
  }
  if (p.latencyMs !== undefined) {
    if (!Array.isArray(p.latencyMs) || p.latencyMs.length !== 2 || !p.latencyMs.every((n) => Number.isFinite(n) && n >= 0)) return 'latencyMs must be [min, max]';
    behaviour.latencyMs = [p.latencyMs[0], p.latencyMs[1]];
  }
  if (p.concurrency !== undefined) {
    if (!Number.isInteger(p.concurrency) || p.concurrency < 1) return 'concurrency must be a positive integer';
    behaviour.concurrency = p.concurrency;
  }
  if (p.outage !== undefined) {
    const o = p.outage;
    if (typeof o !== 'object' || o === null || !Number.isFinite(o.everyS) || !Number.isFinite(o.durationS)) return 'outage must be {everyS, durationS}';
    behaviour.outage = { everyS: o.everyS, durationS: o.durationS };
  }
  return null;
}
