import { execFileSync } from 'node:child_process';
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

function replace(t: Topology, started: RunningPart): void {
  t.state.parts = t.state.parts.map((p) => (p.name === started.name ? started : p));
  writeState(t.dir, t.state);
}

async function gone(p: RunningPart, timeoutMs: number): Promise<void> {
  await until(`${p.name} to exit`, async () => !alive(p.pid), timeoutMs, 100);
}

/** Starts node `i` again and waits until HAProxy passes it. */
async function restartNode(t: Topology, i: number): Promise<void> {
  replace(t, startNode(t.dir, t.state.nodeEnv, i));
  await until(`${nodeName(i)} ready again`, async () => (await fetch(`http://127.0.0.1:${PORTS.nodes[i]}/api/v1/ready`)).ok, 180_000, 250);
  await until(`HAProxy passing ${nodeName(i)}`, async () => (await haproxyServerStates()).yeyak_nodes?.[nodeName(i)] === 'UP', 30_000, 250);
}

const redisPrimaryPort = async () => Number((await sentinelPrimary())[1]);

const postmasterOf = (t: Topology, member: number) => Number(readFileSync(join(t.dir, memberName(member), 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);

/** The postmaster and every process it forked (its backends and workers). */
function postgresProcesses(postmaster: number): number[] {
  const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(postmaster)], { encoding: 'utf8' })
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((pid) => pid > 0);
  return [postmaster, ...children];
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
        const node = part(t, nodeName(i));
        signalGroup(node.pid, 'SIGTERM');
        await gone(node, 60_000);
        await restartNode(t, i);
      }
    },
  },
  {
    name: 'redis-failover',
    description: '`kill -9` of the Redis primary (Sentinel promotes the replica); it is started again 20 s later from its AOF and rejoins as a replica',
    async inject(t) {
      const port = await redisPrimaryPort();
      const index = (PORTS.redis as readonly number[]).indexOf(port);
      const victim = part(t, `redis${index + 1}`);
      signalGroup(victim.pid, 'SIGKILL');
      await gone(victim, 10_000);
      await until('Sentinel promoting the replica', async () => (await redisPrimaryPort()) !== port, 60_000, 250);
      await sleep(20_000);
      replace(t, startPart(t.dir, victim.name, 'redis-server', redisArgs(join(t.dir, victim.name), port, null)));
      await until(`${victim.name} back as a replica`, () => redisSays(port, async (r) => (await r.info('replication')).includes('master_link_status:up')), 60_000, 500);
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
    async inject(t) {
      const member = await patroniPrimary();
      const pids = postgresProcesses(postmasterOf(t, member));
      for (const pid of pids) process.kill(pid, 'SIGSTOP');
      try {
        await sleep(10_000);
      } finally {
        for (const pid of pids) {
          try {
            process.kill(pid, 'SIGCONT');
          } catch {
            // exited meanwhile
          }
        }
      }
    },
  },
];
