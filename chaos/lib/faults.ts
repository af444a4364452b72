import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { patroniPrimary, redisSays, sentinelPrimary } from '../../deploy/cluster/clients.ts';
import { memberName, nodeName, PORTS } from '../../deploy/cluster/layout.ts';
import { alive, signalGroup, sleep, startPart, until, writeState, type ClusterState, type RunningPart } from '../../deploy/cluster/processes.ts';
import { haproxyServerStates } from '../../deploy/cluster/status.ts';
import { startNode } from '../../deploy/cluster/up.ts';
import { redisArgs } from '../../deploy/cluster/store-configs.ts';

/** What a fault acts on: the topology's directory and its parts (a restarted part replaces its entry). */
export interface Topology {
  dir: string;
  state: ClusterState;
  log: (line: string) => void;
}

export interface Fault {
  name: string;
  /** What is done, in a sentence of the report. */
  description: string;
  /** Injects the fault and, where a real operator or supervisor would, brings the part back. */
  inject(t: Topology): Promise<void>;
}

function part(t: Topology, name: string): RunningPart {
  const found = t.state.parts.find((p) => p.name === name);
  if (!found) throw new Error(`no part ${name} in the topology`);
  return found;
}

export function replace(t: Topology, started: RunningPart): void {
  t.state.parts = t.state.parts.map((p) => (p.name === started.name ? started : p));
  writeState(t.dir, t.state);
}

async function gone(p: RunningPart, timeoutMs: number): Promise<void> {
  await until(`${p.name} to exit`, async () => !alive(p.pid), timeoutMs, 100);
}

/** SIGTERM to node `i` (it drains, then closes); resolves once it has exited. */
export async function stopNode(t: Topology, i: number): Promise<void> {
  const node = part(t, nodeName(i));
  signalGroup(node.pid, 'SIGTERM');
  await gone(node, 60_000);
}

/** Starts node `i` again and waits until HAProxy passes it. */
export async function restartNode(t: Topology, i: number): Promise<void> {
  replace(t, startNode(t.dir, t.state.nodeEnv, i));
  await ready(t, i);
}

/** Waits until node `i` is ready and HAProxy passes it. */
async function ready(t: Topology, i: number): Promise<void> {
  await until(`${nodeName(i)} ready again`, async () => (await fetch(`http://127.0.0.1:${PORTS.nodes[i]}/api/v1/ready`)).ok, 180_000, 250);
  await until(`HAProxy passing ${nodeName(i)}`, async () => (await haproxyServerStates()).yeyak_nodes?.[nodeName(i)] === 'UP', 30_000, 250);
}

const redisPrimaryPort = async () => Number((await sentinelPrimary())[1]);

/** `kill -9` of the Redis server Sentinel names primary; its port and part. */
async function killRedisPrimary(t: Topology): Promise<{ port: number; victim: RunningPart }> {
  const port = await redisPrimaryPort();
  const victim = part(t, `redis${(PORTS.redis as readonly number[]).indexOf(port) + 1}`);
  signalGroup(victim.pid, 'SIGKILL');
  await gone(victim, 10_000);
  return { port, victim };
}

/** Starts a killed Redis server again on its port, from its own AOF (Sentinel makes it a replica if another was promoted). */
function startRedisAgain(t: Topology, victim: RunningPart, port: number): void {
  replace(t, startPart(t.dir, victim.name, 'redis-server', redisArgs(join(t.dir, victim.name), port, null)));
}

/** Changes a stand-in's behaviour (src/stand-ins/http-behaviour.ts) and returns what it was. */
export async function misbehave(port: number, patch: Record<string, unknown>): Promise<Record<string, unknown>> {
  const before = (await (await fetch(`http://127.0.0.1:${port}/_admin/behaviour`, { method: 'POST', body: '{}' })).json()) as Record<string, unknown>;
  const answer = await fetch(`http://127.0.0.1:${port}/_admin/behaviour`, { method: 'POST', body: JSON.stringify(patch) });
  if (!answer.ok) throw new Error(`stand-in on ${port} refused ${JSON.stringify(patch)}: ${await answer.text()}`);
  return before;
}

/** A stand-in misbehaving for `seconds`, then as before. */
async function misbehaveFor(port: number, patch: Record<string, unknown>, seconds: number): Promise<void> {
  const before = await misbehave(port, patch);
  try {
    await sleep(seconds * 1000);
  } finally {
    await misbehave(port, Object.fromEntries(Object.keys(patch).map((k) => [k, before[k]])));
  }
}

/** Every thread of a process (taskset -a), pinned to `cpus`. */
function pin(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

/** The node process itself (the part is tsx's wrapper; the server is its child). */
function nodeServerPids(part: RunningPart): number[] {
  return execFileSync('pgrep', ['-g', String(part.pid)], { encoding: 'utf8' })
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((pid) => pid > 0);
}

export const SIX_HOURS_MS = 6 * 3_600_000;

const postmasterOf = (t: Topology, member: number) => Number(readFileSync(join(t.dir, memberName(member), 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);

/** The postmaster and every process it forked (its backends and workers). */
function postgresProcesses(postmaster: number): number[] {
  const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(postmaster)], { encoding: 'utf8' })
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((pid) => pid > 0);
  return [postmaster, ...children];
}

/** SIGSTOP of the PostgreSQL primary's postmaster and every backend, SIGCONT `seconds` later. */
async function stallPrimary(t: Topology, seconds: number): Promise<void> {
  const pids = postgresProcesses(postmasterOf(t, await patroniPrimary()));
  // A backend may end between the listing and its signal (its client left): nothing to stop then.
  for (const pid of pids) signalIfAlive(pid, 'SIGSTOP');
  try {
    await sleep(seconds * 1000);
  } finally {
    for (const pid of pids) signalIfAlive(pid, 'SIGCONT');
  }
}

/** True when a Patroni member is primary with the other streaming to it as its synchronous standby. */
async function syncStandbyStreaming(): Promise<boolean> {
  const primary = await patroniPrimary();
  const answer = await fetch(`http://127.0.0.1:${PORTS.patroniApi[primary]}/patroni`, { signal: AbortSignal.timeout(2_000) });
  const { replication } = (await answer.json()) as { replication?: { application_name: string; state: string; sync_state: string }[] };
  const other = memberName(1 - primary);
  return (replication ?? []).some((r) => r.application_name === other && r.state === 'streaming' && r.sync_state === 'sync');
}

export const FAULTS: Fault[] = [
  {
    name: 'node-kill',
    description: '`kill -9` of node2; a supervisor starts it again 15 s later',
    async inject(t) {
      const victim = part(t, 'node2');
      signalGroup(victim.pid, 'SIGKILL');
      await gone(victim, 10_000);
      await sleep(15_000);
      await restartNode(t, 1);
    },
  },
  {
    name: 'rolling-restart',
    description: 'a rolling restart of the three nodes: SIGTERM each, start it again, the next once HAProxy passes it',
    async inject(t) {
      for (const i of [0, 1, 2]) {
        await stopNode(t, i);
        await restartNode(t, i);
      }
    },
  },
  {
    name: 'redis-failover',
    description: '`kill -9` of the Redis primary (Sentinel promotes the replica); it is started again 20 s later from its AOF and rejoins as a replica',
    async inject(t) {
      const { port, victim } = await killRedisPrimary(t);
      await until('Sentinel promoting the replica', async () => (await redisPrimaryPort()) !== port, 60_000, 250);
      await sleep(20_000);
      startRedisAgain(t, victim, port);
      await until(`${victim.name} back as a replica`, () => redisSays(port, async (r) => (await r.info('replication')).includes('master_link_status:up')), 60_000, 500);
    },
  },
  {
    name: 'redis-restart',
    description: '`kill -9` of the Redis primary and its restart in place at once from its AOF (before Sentinel calls it down)',
    async inject(t) {
      const { port, victim } = await killRedisPrimary(t);
      // As the primary it was; were Sentinel quicker, it would make it a replica of the promoted one.
      startRedisAgain(t, victim, port);
      await until(`${victim.name} answering again`, () => redisSays(port, async (r) => (await r.ping()) === 'PONG'), 30_000, 250);
      // Whoever Sentinel names primary now, the other must be its replica again.
      await until('the Redis pair replicating again', async () => {
        const primary = await redisPrimaryPort();
        const other = PORTS.redis.find((p) => p !== primary)!;
        return redisSays(other, async (r) => (await r.info('replication')).includes('master_link_status:up'));
      }, 90_000, 500);
    },
  },
  {
    name: 'redis-flushall',
    description: '`FLUSHALL` on the Redis primary (the replica follows): the queue store loses every place, admission and counter, and is restored from the database\'s journal',
    async inject(t) {
      const port = await redisPrimaryPort();
      await redisSays(port, (r) => r.flushall());
      t.log(`chaos: Redis on ${port} flushed`);
    },
  },
  {
    name: 'postgres-failover',
    description: '`kill -9` of the PostgreSQL primary host (Patroni and its postmaster; Patroni promotes the standby once the leader key expires); the host comes back 20 s later as a standby',
    async inject(t) {
      const member = await patroniPrimary();
      const patroni = part(t, `patroni-${memberName(member)}`);
      const postmaster = postmasterOf(t, member);
      signalGroup(patroni.pid, 'SIGKILL');
      process.kill(postmaster, 'SIGKILL');
      await until('Patroni promoting the standby', async () => (await patroniPrimary()) !== member, 90_000, 500);
      await sleep(20_000);
      replace(t, startPart(t.dir, patroni.name, 'patroni', [join(t.dir, `${patroni.name}.yml`)], { asPostgres: true }));
      await until(`${memberName(member)} back as a standby`, async () => (await fetch(`http://127.0.0.1:${PORTS.patroniApi[member]}/replica`)).status === 200, 120_000, 500);
    },
  },
  {
    name: 'postgres-pause',
    description: 'the PostgreSQL primary stalled for 10 s (SIGSTOP, then SIGCONT, of its postmaster and every backend): a stalled database, not a dead one',
    inject: (t) => stallPrimary(t, 10),
  },
  {
    name: 'postgres-stall',
    description: 'the PostgreSQL primary stalled for 25 s (SIGSTOP, then SIGCONT, of its postmaster and every backend), longer than the leader key lives (10 s): the standby is promoted, and the stalled primary must step down, rewind and follow it',
    async inject(t) {
      await stallPrimary(t, 25);
      // One primary again, with the other member streaming to it as its synchronous standby: else
      // every commit would wait for a standby that is not there.
      await until('one primary and its synchronous standby streaming', syncStandbyStreaming, 120_000, 500);
    },
  },
  {
    name: 'registry-down',
    description: 'the immunization registry stand-in down (503 to everything) for 2 minutes',
    inject: () => misbehaveFor(PORTS.registry, { down: true }, 120),
  },
  {
    name: 'registry-slow',
    description: 'the immunization registry stand-in answering in 5 s for 2 minutes',
    inject: () => misbehaveFor(PORTS.registry, { latencyMs: [5_000, 5_000] }, 120),
  },
  {
    name: 'gateway-failing',
    description: 'the SMS/KakaoTalk gateway stand-in failing 50% of sends (500) for 2 minutes',
    inject: () => misbehaveFor(PORTS.messages, { failureRate: 0.5 }, 120),
  },
  {
    name: 'clock-skew',
    description: 'node3 restarted with its clock 6 hours ahead (YEYAK_LAB_CLOCK_OFFSET_MS) for 30 s: it must refuse to serve, and HAProxy take it out; then restarted on the right time',
    async inject(t) {
      await stopNode(t, 2);
      replace(t, startNode(t.dir, t.state.nodeEnv, 2, { YEYAK_LAB_CLOCK_OFFSET_MS: String(SIX_HOURS_MS) }));
      const url = `http://127.0.0.1:${PORTS.nodes[2]}/api/v1/ready`;
      await until('node3 answering, 6 hours ahead', async () => (await fetch(url).catch(() => null)) !== null, 180_000, 250);
      const answer = await fetch(url);
      const shed = ((await answer.json()) as { error?: { details?: { shed?: string } } }).error?.details?.shed;
      if (answer.status !== 503 || shed !== 'clockSkew') throw new Error(`node3 with its clock 6 h ahead answered readiness ${answer.status} ${shed ?? ''}: it should refuse to serve`);
      await until('HAProxy taking node3 out', async () => (await haproxyServerStates()).yeyak_nodes?.node3 !== 'UP', 30_000, 250);
      await sleep(30_000);
      if ((await haproxyServerStates()).yeyak_nodes?.node3 === 'UP') throw new Error('HAProxy passed node3 while its clock was 6 hours ahead');
      await stopNode(t, 2);
      await restartNode(t, 2);
    },
  },
  {
    name: 'cpu-starvation',
    description: 'node2 pinned to one core beside three CPU-burning processes for a minute',
    async inject(t) {
      const node = part(t, 'node2');
      const pids = nodeServerPids(node);
      for (const pid of pids) pin(pid, '1');
      const burners = [0, 1, 2].map(() => spawn('taskset', ['-c', '1', process.execPath, '-e', 'for (;;) {}'], { stdio: 'ignore', detached: true }));
      try {
        await sleep(60_000);
      } finally {
        for (const b of burners) if (b.pid) signalGroup(b.pid, 'SIGKILL');
        for (const pid of pids) {
          try {
            pin(pid, '0-1');
          } catch {
            // exited meanwhile
          }
        }
      }
    },
  },
];

/** Sends `signal` to `pid` unless that process has exited already (ESRCH); any other failure is thrown. */
function signalIfAlive(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
