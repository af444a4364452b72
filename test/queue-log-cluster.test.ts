import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../src/modules/transparency/audit/audit-log.ts';
import { httpLogFetch } from '../src/modules/transparency/audit/download-log.ts';
import { parseCheckpoint } from '../src/modules/transparency/domain/checkpoint.ts';
import { decodeEntry } from '../src/modules/transparency/domain/log-entries.ts';
import { leafHash, rootHash } from '../src/modules/transparency/domain/merkle.ts';
import { verifyInclusion } from '../src/modules/transparency/domain/merkle-verify.ts';
import { commitmentOf } from '../src/modules/transparency/domain/prequeue-order.ts';
import { openNote, verifierOf } from '../src/lib/signed-note.ts';
import { Cluster, ClusterClient, mapLimit, type Reply } from './support/cluster.ts';
import { campaignOpenNow } from './support/fixtures.ts';
import { redisServerOnPath, RedisServerProcess } from './support/redis.ts';
import { OPERATOR_KEY } from './support/test-app.ts';

/**
 * The queue's public log across three real server processes over one PostgreSQL and one Redis
 * (issue 22): 10,000 people join through the three nodes and are admitted; one node at a time
 * writes the log (the sequencer lease), every node serves it. The node writing the log is killed
 * (-9) while people are being admitted: another takes the lease over, and the killed one, started
 * again, serves the same log. The auditor, run from outside over HTTP, finds it clean; every
 * person's receipt verifies against its signed checkpoint, which the latest audited tree extends.
 * Runs when DATABASE_URL is set and `redis-server` is on the PATH.
 */
const NODES = 3;
const PEOPLE = 10_000;
const IN_FLIGHT = 24;
const C = 'log-cluster';
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function report(line: string): void {
  console.warn(`[queue-log-cluster] ${line}`);
}

describe.skipIf(!process.env.DATABASE_URL || !redisServerOnPath)('the queue log across three nodes over PostgreSQL and Redis', () => {
  let redis: RedisServerProcess | undefined;
  let cluster: Cluster | undefined;
  let client: ClusterClient;

  /** A request that must answer one of `expected` (no 503 is waited out: the nodes must not shed at this load). */
  async function must(node: number, method: 'GET' | 'POST', path: string, options: { body?: unknown; token?: string } = {}, expected = [200, 201]): Promise<Reply> {
    const reply = await client.send(node, method, path, options);
    if (!expected.includes(reply.status)) throw new Error(`${method} ${path} on node ${node} → ${reply.status}: ${JSON.stringify(reply.body)}`);
    return reply;
  }

  /** The node that holds the campaign's sequencer lease, by its metrics; null while none does. */
  async function sequencerNode(among: readonly number[]): Promise<number | null> {
    for (const node of among) {
      const metrics = (await must(node, 'GET', '/metrics')).body as string;
      if (new RegExp(`^yeyak_queue_log_sequencer\\{campaign="${C}"\\} 1$`, 'm').test(metrics)) return node;
    }
    return null;
  }

  beforeAll(async () => {
    redis = await RedisServerProcess.start();
    process.once('exit', () => void redis?.kill());
    cluster = await Cluster.start({ nodes: NODES, databaseBaseUrl: process.env.DATABASE_URL!, redisUrl: redis.url });
    client = new ClusterClient(cluster);
  }, 90_000);

  afterAll(async () => {
    await client?.close().catch(() => {});
    await cluster?.stop();
    await redis?.dispose();
  }, 60_000);

  it('10,000 people join through three nodes and are admitted; the auditor finds the log clean; every receipt verifies', async () => {
    const started = performance.now();
    const lap = (what: string) => report(`${what} at ${Math.round((performance.now() - started) / 1000)} s`);
    await must(0, 'POST', '/api/v1/admin/campaigns', { token: OPERATOR_KEY, body: campaignOpenNow(C, 'queue log across nodes', { ratePerSecond: 500, maxActive: 100_000 }) });
    const sessions = await mapLimit(range(PEOPLE), IN_FLIGHT, async (i) => {
      const body = { name: `시민-${i}`, birthDate: `19${50 + (i % 50)}-0${1 + (i % 9)}-${10 + (i % 19)}`, phone: `010-${String(2000 + Math.floor(i / 10_000)).padStart(4, '0')}-${String(i % 10_000).padStart(4, '0')}` };
      return ((await must(i % NODES, 'POST', '/api/v1/identity/dev', { body })).body as { session: string }).session;
    });
    lap(`${PEOPLE} people signed in`);
    const tickets = await mapLimit(range(PEOPLE), IN_FLIGHT, async (i) => {
      const reply = await must((i + 1) % NODES, 'POST', `/api/v1/campaigns/${C}/queue/tickets`, { token: sessions[i]! }, [201]);
      return reply.body as { ticket: string; position: number };
    });
    expect(new Set(tickets.map((t) => t.position)).size).toBe(PEOPLE);
    lap(`${PEOPLE} joined`);
    // Admitted in rounds; after the first, the node writing the log is killed, and the others carry on.
    let live = range(NODES);
    let killed: number | null = null;
    let waiting = range(PEOPLE);
    for (let round = 0; waiting.length > 0; round++) {
      if (round > 0) await sleep(250);
      const answers = await mapLimit(waiting, IN_FLIGHT, async (i) => ({ i, reply: await must(live[i % live.length]!, 'POST', `/api/v1/campaigns/${C}/admissions`, { token: tickets[i]!.ticket }, [201, 425]) }));
      waiting = answers.filter((a) => a.reply.status === 425).map((a) => a.i);
      if (round === 0) {
        killed = await sequencerNode(live);
        expect(killed).not.toBeNull();
        await cluster!.nodes[killed!]!.kill('SIGKILL');
        live = live.filter((n) => n !== killed);
        lap(`node ${killed} (the log's sequencer) killed after ${PEOPLE - waiting.length} admissions`);
      }
      if (round > 200) throw new Error(`${waiting.length} people still not admitted`);
    }
    lap(`${PEOPLE} admitted`);
    // Another node took the lease over (it runs out 5 s after the last renewal); the killed one comes back.
    let successor: number | null = null;
    for (let i = 0; i < 40 && successor === null; i++) {
      await sleep(250);
      successor = await sequencerNode(live);
    }
    expect(successor).not.toBeNull();
    await cluster!.nodes[killed!]!.start();
    lap(`node ${successor} took the log over; node ${killed} is back`);

    // The log catches up within a refresh or two; the auditor runs from outside, over HTTP, against another node.
    const key = ((await must(1, 'GET', '/api/v1/log/key')).body as string).trim();
    const get = httpLogFetch(cluster!.nodes[2]!.url);
    let audit = await auditLog(get, C, key);
    for (let i = 0; i < 60 && audit.replay.counts.admit < PEOPLE; i++) {
      await sleep(500);
      audit = await auditLog(get, C, key);
    }
    lap(`audited: ${audit.checkpoint.size} entries`);
    expect(audit.violations).toEqual([]);
    expect(audit.replay.counts).toMatchObject({ place: PEOPLE, admit: PEOPLE });
    expect(audit.replay.issuedUpTo).toBe(PEOPLE);
    for (const t of tickets) expect(audit.replay.admitted.has(t.position)).toBe(true);

    // Each receipt, from any node: its entry is the holder's place, proven in a checkpoint the audited tree extends.
    const latest = await auditLog(get, C, key);
    const verifier = verifierOf(key);
    const bad = (await mapLimit(range(PEOPLE), IN_FLIGHT, async (i) => {
      let reply = await must(i % NODES, 'GET', `/api/v1/campaigns/${C}/queue/tickets/me/proof`, { token: tickets[i]!.ticket }, [200, 425]);
      for (let tries = 0; reply.status === 425 && tries < 10; tries++) {
        await sleep(1000);
        reply = await must(i % NODES, 'GET', `/api/v1/campaigns/${C}/queue/tickets/me/proof`, { token: tickets[i]!.ticket }, [200, 425]);
      }
      const receipt = reply.body as { leafIndex: number; entry: string; proof: string[]; checkpoint: string; opening: string };
      const checkpoint = parseCheckpoint(openNote(receipt.checkpoint, [verifier]).text);
      const entry = Buffer.from(receipt.entry, 'base64');
      const decoded = decodeEntry(entry);
      const fine =
        verifyInclusion(receipt.leafIndex, checkpoint.size, leafHash(entry), receipt.proof.map((h) => Buffer.from(h, 'base64')), checkpoint.root) &&
        decoded.kind === 'place' &&
        decoded.position === tickets[i]!.position &&
        decoded.commitment.equals(commitmentOf(Buffer.from(receipt.opening, 'base64'))) &&
        checkpoint.size <= latest.checkpoint.size &&
        rootHash(latest.read, checkpoint.size).equals(checkpoint.root);
      return fine ? null : i;
    })).filter((i) => i !== null);
    lap('every receipt checked');
    expect(bad).toEqual([]);
  }, 600_000);
});
