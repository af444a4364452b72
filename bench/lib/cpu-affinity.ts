/**
 * Gives a local PostgreSQL server CPUs of its own, as a database server has in a deployment: its
 * processes (the postmaster, and so every backend it forks later) are pinned to some CPUs and this
 * process — with everything it starts afterwards: the apps, the load generator, pgbench — to the
 * others. `taskset` (util-linux) does the pinning; the server must run on this machine, as a user
 * this process may re-pin. `restore` gives everyone every CPU again.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { withClient } from './postgres.ts';

export interface CpuSplit {
  databaseCpus: number[];
  otherCpus: number[];
  /** The server processes pinned (the postmaster and its children at the time). */
  serverProcesses: number;
  restore(): void;
}

/** "0", "0,2" or "0-1" → [0], [0, 2], [0, 1]. */
function parseCpuList(list: string): number[] {
  const cpus = new Set<number>();
  for (const part of list.split(',')) {
    const [from, to] = part.split('-').map((s) => Number.parseInt(s, 10));
    if (from === undefined || !Number.isInteger(from) || (to !== undefined && !Number.isInteger(to))) throw new Error(`not a CPU list: ${list}`);
    for (let c = from; c <= (to ?? from); c++) cpus.add(c);
  }
  return [...cpus].sort((a, b) => a - b);
}

function parentOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const ppid = /^PPid:\s+(\d+)/m.exec(status)?.[1];
  if (!ppid) throw new Error(`no parent in /proc/${pid}/status`);
  return Number(ppid);
}

function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (parentOf(Number(name)) === pid) children.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

function pin(pid: number, cpus: readonly number[]): void {
  // -a: every thread of the process; a process forked afterwards inherits the mask.
  execFileSync('taskset', ['-a', '-p', '-c', cpus.join(','), String(pid)], { stdio: 'ignore' });
}

export async function splitCpusWithDatabase(adminUrl: string, databaseCpuList: string): Promise<CpuSplit> {
  const all = Array.from({ length: availableParallelism() }, (_, i) => i);
  const databaseCpus = parseCpuList(databaseCpuList);
  if (databaseCpus.some((c) => !all.includes(c))) throw new Error(`--database-cpus ${databaseCpuList}: this machine has CPUs 0-${all.length - 1}`);
  const otherCpus = all.filter((c) => !databaseCpus.includes(c));
  if (otherCpus.length === 0) throw new Error(`--database-cpus ${databaseCpuList} leaves no CPU for the app and the clients`);
  // The backend's parent is the postmaster; asked while the backend still lives.
  const postmaster = await withClient(adminUrl, async (c) => {
    const backend = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    if (!backend) throw new Error('the server did not say its backend pid');
    return parentOf(backend);
  });
  const server = [postmaster, ...childrenOf(postmaster)];
  for (const pid of server) pin(pid, databaseCpus);
  pin(process.pid, otherCpus);
  return {
    databaseCpus,
    otherCpus,
    serverProcesses: server.length,
    restore() {
      for (const pid of [postmaster, ...childrenOf(postmaster), process.pid]) {
        try {
          pin(pid, all);
        } catch {
          // A backend that ended meanwhile.
        }
      }
    },
  };
}
