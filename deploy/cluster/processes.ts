import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One running part of the topology: the leader of its own process group, and its log. */
export interface RunningPart {
  name: string;
  pid: number;
  log: string;
}

/** What `up` leaves for `status` and `down`: the parts in start order, and the nodes' environment. */
export interface ClusterState {
  parts: RunningPart[];
  nodeEnv: Record<string, string>;
}

const stateFile = (dir: string) => join(dir, 'state.json');

export function readState(dir: string): ClusterState | null {
  return existsSync(stateFile(dir)) ? (JSON.parse(readFileSync(stateFile(dir), 'utf8')) as ClusterState) : null;
}

export function writeState(dir: string, state: ClusterState): void {
  writeFileSync(stateFile(dir), JSON.stringify(state, null, 2), { mode: 0o600 });
}

/** Whether any process of the group `pid` leads is alive. */
export function alive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Whether a single process is alive (a postmaster runs in a session of its own, not in Patroni's group). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Running as root, PostgreSQL and Patroni (which refuse root) run as Debian's `postgres` user. */
export const asRoot = () => process.getuid?.() === 0;

/**
 * Starts `command` detached, as the leader of a new process group (so `down` stops whatever it
 * forks, e.g. tsx's own child), with stdout and stderr appended to `<dir>/logs/<name>.log`.
 * `asPostgres` runs it as the `postgres` user when this process is root.
 */
export function startPart(dir: string, name: string, command: string, args: string[], options: { env?: Record<string, string>; asPostgres?: boolean; cwd?: string } = {}): RunningPart {
  const log = join(dir, 'logs', `${name}.log`);
  const fd = openSync(log, 'a', 0o644);
  const [file, argv] = options.asPostgres && asRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  const child = spawn(file, argv, { detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, ...options.env }, cwd: options.cwd });
  closeSync(fd);
  child.unref();
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  return { name, pid: child.pid, log };
}

/** Sends SIGTERM to the group, waits up to `graceMs` for it to go, then SIGKILL. */
export async function stopPart(part: RunningPart, graceMs = 15_000): Promise<void> {
  signalGroup(part.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(part.pid) && Date.now() < deadline) await sleep(100);
  if (alive(part.pid)) signalGroup(part.pid, 'SIGKILL');
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or a rejection once `ms` have passed (what it waits on is left to finish alone). */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${Math.round(ms)} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * Polls `probe` until it returns a value (an exception counts as not yet), or throws after
 * `timeoutMs` — also when a probe never settles (a part that accepts a connection and never answers).
 */
export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const value = await within(probe(), Math.max(1, deadline - Date.now()));
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await sleep(everyMs);
  }
}
