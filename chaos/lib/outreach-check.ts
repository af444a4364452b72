import { withPostgres } from '../../deploy/cluster/clients.ts';
import { DATABASE_NAME, PORTS } from '../../deploy/cluster/layout.ts';
import { sleep } from '../../deploy/cluster/processes.ts';

/** What reached an outside system from one outbox consumer, checked against the database after the run. */
export interface OutreachFigures {
  consumer: 'messages' | 'registry';
  /** The consumer's jobs in the database. */
  jobs: number;
  /** Jobs delivered (done) whose idempotency key the stand-in holds. */
  delivered: number;
  /** Jobs done that the stand-in never received: lost (a message not due, e.g. no phone on record, counts here too). */
  doneButMissing: number;
  /** Jobs in the dead-letter list (an operator retries them): not delivered. */
  dead: number;
  /** Jobs (and events not yet fanned out) still waiting their next attempt when the count was taken. */
  pending: number;
  /** The same thing received twice under two keys: identical texts to one phone, or two events of one kind for one booking. */
  twice: number;
  /** What the stand-in received under a key no job has. */
  unknownKeys: number;
}

interface Job {
  key: string;
  status: 'pending' | 'done' | 'dead';
}

async function jobs(): Promise<{ jobs: Map<string, Job[]>; unfanned: number }> {
  return withPostgres(DATABASE_NAME, async (c) => {
    const rows = (await c.query<{ consumer: string; idempotency_key: string; status: Job['status'] }>('SELECT consumer, idempotency_key, status FROM outbox_jobs')).rows;
    const unfanned = Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE processed_at IS NULL')).rows[0]!.n);
    const byConsumer = new Map<string, Job[]>();
    for (const r of rows) byConsumer.set(r.consumer, [...(byConsumer.get(r.consumer) ?? []), { key: r.idempotency_key, status: r.status }]);
    return { jobs: byConsumer, unfanned };
  });
}

const admin = async <T>(port: number, path: string) => (await (await fetch(`http://127.0.0.1:${port}${path}`)).json()) as T;

function figures(consumer: OutreachFigures['consumer'], list: Job[], received: Set<string>, twice: number, unfanned: number): OutreachFigures {
  const keys = new Set(list.map((j) => j.key));
  return {
    consumer,
    jobs: list.length,
    delivered: list.filter((j) => j.status === 'done' && received.has(j.key)).length,
    doneButMissing: list.filter((j) => j.status === 'done' && !received.has(j.key)).length,
    dead: list.filter((j) => j.status === 'dead').length,
    pending: list.filter((j) => j.status === 'pending').length + unfanned,
    twice,
    unknownKeys: [...received].filter((k) => !keys.has(k)).length,
  };
}

function repeats(labels: string[]): number {
  const seen = new Map<string, number>();
  for (const l of labels) seen.set(l, (seen.get(l) ?? 0) + 1);
  return [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
}

/**
 * Waits (up to `drainSeconds`) for the outbox to drain, then compares every message and registry
 * job with what the gateway and registry stand-ins received (BRIEF §4.6: nothing lost, nothing
 * twice). Read through the topology's HAProxy and the stand-ins' admin APIs.
 */
export async function outreachFigures(drainSeconds: number, log: (line: string) => void): Promise<OutreachFigures[]> {
  const deadline = Date.now() + drainSeconds * 1000;
  let state = await jobs();
  const waiting = () => [...state.jobs.values()].flat().filter((j) => j.status === 'pending').length + state.unfanned;
  while (waiting() > 0 && Date.now() < deadline) {
    log(`outreach: ${waiting()} outbox jobs still pending; waiting for them to drain`);
    await sleep(10_000);
    state = await jobs();
  }
  const messages = await admin<{ messages: { key: string; to: string; text: string }[] }>(PORTS.messages, '/_admin/messages');
  const events = await admin<{ items: { key: string; type: string; body: Record<string, unknown> }[] }>(PORTS.registry, '/_admin/events');
  const once = new Set(['booking.created', 'booking.cancelled']);
  return [
    figures('messages', state.jobs.get('messages') ?? [], new Set(messages.messages.map((m) => m.key)), repeats(messages.messages.map((m) => `${m.to}\n${m.text}`)), state.unfanned),
    figures(
      'registry',
      state.jobs.get('registry') ?? [],
      new Set(events.items.map((e) => e.key)),
      repeats(events.items.filter((e) => once.has(e.type)).map((e) => `${e.type}\n${String(e.body.bookingId)}`)),
      state.unfanned,
    ),
  ];
}
