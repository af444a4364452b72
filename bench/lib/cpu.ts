/**
 * CPU accounting from /proc (Linux): how much processor time each party of a run used, so a
 * report can say what bounded throughput. Elsewhere every figure is null and the report says so.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | null = null;

function clockTicks(): number {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU seconds (user + system, all threads) a process has used so far, or null when unreadable. */
export function processCpuSeconds(pid: number, expectedComm?: string): number | null {
  try {
    if (expectedComm !== undefined && readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== expectedComm) return null;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: fields resume after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
    return (utime + stime) / clockTicks();
  } catch {
    return null;
  }
}

/** CPU seconds of a process's main thread (its thread id is the pid) and of all its other threads together (the embedded database's among them), or null when unreadable. */
export function threadCpuSeconds(pid: number): { main: number; others: number } | null {
  const total = processCpuSeconds(pid);
  if (total === null) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const main = (Number(fields[11]) + Number(fields[12])) / clockTicks();
    // A process's own counters include its threads that have ended; the others are the rest.
    return Number.isFinite(main) ? { main, others: total - main } : null;
  } catch {
    return null;
  }
}

/**
 * The kinds of a Node process's threads, from each thread's name: `main` (the event loop),
 * `database` (the embedded database's worker thread), `hashing` (the queue log's hashing thread),
 * `workers` (other worker threads), `v8` (V8's helper threads: the garbage collector's and the
 * compiler's) and `other` (libuv's pool, the inspector…). Node names a worker's thread after
 * `new Worker(…, { name })`: the app names its two (`src/infra/db/pglite-thread.ts`,
 * `src/modules/transparency/log-hashing.ts`).
 */
export type ThreadKind = 'main' | 'database' | 'hashing' | 'workers' | 'v8' | 'other';

const NAMED_THREADS: Readonly<Record<string, ThreadKind>> = { pglite: 'database', 'log-hashing': 'hashing', WorkerThread: 'workers' };

function threadKind(pid: number, tid: string, name: string): ThreadKind {
  if (tid === String(pid)) return 'main';
  return NAMED_THREADS[name] ?? (name.startsWith('V8 ') || name.startsWith('V8Worker') ? 'v8' : 'other');
}

/**
 * CPU seconds of a process's threads by kind (`ThreadKind`), and `ended`: what its threads that
 * have ended used (the process's own counters keep it); null when unreadable.
 */
export function threadsCpuSeconds(pid: number): Record<ThreadKind | 'ended', number> | null {
  const sums = { main: 0, database: 0, hashing: 0, workers: 0, v8: 0, other: 0, ended: 0 };
  const total = processCpuSeconds(pid);
  if (total === null) return null;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      sums[threadKind(pid, tid, name)] += (Number(fields[11]) + Number(fields[12])) / clockTicks();
    }
  } catch {
    return null;
  }
  const live = sums.main + sums.database + sums.hashing + sums.workers + sums.v8 + sums.other;
  return { ...sums, ended: Math.max(0, total - live) };
}

export interface MachineCpu {
  /** Seconds of CPU time all cores spent busy here (not idle, not waiting for I/O, not stolen). */
  busy: number;
  /** Seconds the hypervisor ran something else while this VM wanted the CPU. */
  steal: number;
  /** Seconds of CPU time all cores spent in total. */
  total: number;
}

/** The machine's CPU counters so far, or null off Linux. */
export function machineCpu(): MachineCpu | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
    if (ticks.length < 8 || ticks.some((t) => !Number.isFinite(t))) return null;
    // user nice system idle iowait irq softirq steal
    const total = ticks.reduce((a, b) => a + b, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    const steal = ticks[7] ?? 0;
    return { busy: (total - idle - steal) / clockTicks(), steal: steal / clockTicks(), total: total / clockTicks() };
  } catch {
    return null;
  }
}

/** pid → command name and CPU seconds, for every process /proc lists. */
function everyProcess(): Map<number, { comm: string; cpu: number }> {
  const all = new Map<number, { comm: string; cpu: number }>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return all;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const cpu = processCpuSeconds(pid);
    if (cpu === null) continue;
    let comm = '?';
    try {
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      // gone meanwhile
    }
    all.set(pid, { comm, cpu });
  }
  return all;
}

/** A set of named process groups whose CPU time is read together. */
export interface CpuSnapshot {
  at: number;
  machine: MachineCpu | null;
  /** Group name → pid → CPU seconds (pids that could not be read are left out). */
  groups: Map<string, Map<number, number>>;
  /** Every process, to name the biggest users outside the groups. */
  all: Map<number, { comm: string; cpu: number }>;
}

export function snapshot(groups: Record<string, { pids: number[]; comm?: string }>): CpuSnapshot {
  const result = new Map<string, Map<number, number>>();
  for (const [name, { pids, comm }] of Object.entries(groups)) {
    const byPid = new Map<number, number>();
    for (const pid of pids) {
      const seconds = processCpuSeconds(pid, comm);
      if (seconds !== null) byPid.set(pid, seconds);
    }
    result.set(name, byPid);
  }
  return { at: performance.now(), machine: machineCpu(), groups: result, all: everyProcess() };
}

export interface CpuUse {
  seconds: number;
  /** Machine CPU busy over the interval, in cores (2.0 = both cores of a 2-core machine). */
  machineBusyCores: number | null;
  /** Cores' worth of time stolen by the hypervisor (a noisy neighbour), if any. */
  machineStealCores: number | null;
  machineCores: number | null;
  /** Group name → cores used on average over the interval; null when no pid of it was readable. */
  groups: Record<string, number | null>;
  /** The busiest processes outside the groups (other work on the machine), by command name. */
  others: { comm: string; pid: number; cores: number }[];
}

/** Average cores each group used between two snapshots (a pid must appear in both to count). */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): CpuUse {
  const seconds = (b.at - a.at) / 1000;
  const groups: Record<string, number | null> = {};
  for (const [name, after] of b.groups) {
    const before = a.groups.get(name);
    let used = 0;
    let seen = false;
    for (const [pid, cpu] of after) {
      const start = before?.get(pid);
      if (start === undefined) continue;
      used += cpu - start;
      seen = true;
    }
    groups[name] = seen && seconds > 0 ? used / seconds : null;
  }
  const grouped = new Set([...b.groups.values()].flatMap((m) => [...m.keys()]));
  const others: CpuUse['others'] = [];
  for (const [pid, after] of b.all) {
    const before = a.all.get(pid);
    if (grouped.has(pid) || seconds <= 0) continue;
    // A process born during the interval counts from zero.
    const cores = (after.cpu - (before?.cpu ?? 0)) / seconds;
    if (cores >= 0.01) others.push({ comm: after.comm, pid, cores });
  }
  others.sort((x, y) => y.cores - x.cores);
  const machineBusyCores = a.machine && b.machine && seconds > 0 ? (b.machine.busy - a.machine.busy) / seconds : null;
  const machineStealCores = a.machine && b.machine && seconds > 0 ? (b.machine.steal - a.machine.steal) / seconds : null;
  const machineCores = a.machine && b.machine && seconds > 0 ? (b.machine.total - a.machine.total) / seconds : null;
  return { seconds, machineBusyCores, machineStealCores, machineCores, groups, others: others.slice(0, 5) };
}
