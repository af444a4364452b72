/**
 * wrk (Debian's `wrk`, https://github.com/wg/wrk) as the load generator for ratio benchmarks: it
 * drives a keep-alive HTTP/1.1 load for about 0.4 core where a Node.js client burns a whole one, so
 * on a small machine the server under test gets the rest. Runs it, and reads its report
 * (requests/s, latency distribution with --latency, non-2xx/3xx and socket errors, and the status
 * tally the bench's Lua scripts print).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const WRK_INSTALL_HINT = 'install it with: apt-get install wrk   (Debian/Ubuntu; elsewhere build https://github.com/wg/wrk)';

/** The wrk binary (WRK_BIN if set, else `wrk` on the PATH, else /usr/bin/wrk), or an error saying how to install it. */
export function findWrk(): { path: string; version: string } {
  const candidates = process.env.WRK_BIN ? [process.env.WRK_BIN] : ['wrk', '/usr/bin/wrk'];
  for (const candidate of candidates) {
    if (candidate.includes('/') && !existsSync(candidate)) continue;
    // `wrk -v` prints its version and usage and exits 1: only a spawn error means "not there".
    const probe = spawnSync(candidate, ['-v'], { encoding: 'utf8' });
    if (probe.error) continue;
    const version = /wrk (\S+)/.exec(`${probe.stdout}${probe.stderr}`)?.[1] ?? '?';
    return { path: candidate, version };
  }
  throw new Error(`wrk not found${process.env.WRK_BIN ? ` (WRK_BIN=${process.env.WRK_BIN})` : ''}: ${WRK_INSTALL_HINT}`);
}

export interface WrkOptions {
  wrk: string;
  url: string;
  threads: number;
  connections: number;
  seconds: number;
  /** A Lua script (`-s`) and the arguments after `--` that its init() receives. */
  script?: string;
  scriptArgs?: string[];
  /** wrk's --timeout in seconds: a slower answer counts as a timeout error. */
  timeoutSeconds?: number;
  /** Called every second while wrk runs, with the seconds since start and wrk's pid. */
  onTick?: (second: number, pid: number) => void;
}

interface WrkLatency {
  /** Milliseconds. */
  p50: number;
  p75: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
}

export interface WrkResult {
  requests: number;
  /** wrk's own elapsed time for the run. */
  seconds: number;
  requestsPerSecond: number;
  latency: WrkLatency | null;
  /** "Non-2xx or 3xx responses" (0 when wrk prints no such line). */
  non2xx3xx: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  /** Status code → count, when the script tallies them (bench/wrk/*.lua print `status <code> <n>`). */
  statuses: Record<string, number> | null;
  /** Other `key value` lines the script printed in done() (e.g. `wraps 0`). */
  scriptValues: Record<string, number>;
  args: string[];
  output: string;
}

/** wrk's duration units: 1.23us, 4.56ms, 1.20s, 2.00m, 1.00h → milliseconds. */
function parseWrkDuration(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (!match) return NaN;
  const value = Number(match[1]);
  const unit = match[2];
  const factor = unit === 'us' ? 0.001 : unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000;
  return value * factor;
}

/** Reads wrk's report (the default one, plus --latency's distribution and our scripts' lines). */
function parseWrkOutput(output: string, args: string[] = []): WrkResult {
  const requestsMatch = /(\d+) requests in ([\d.]+)(us|ms|s|m|h),/.exec(output);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const latencyLine = /^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)/m.exec(output);
  const percentile = (p: number) => {
    const m = new RegExp(`^\\s*${p}%\\s+(\\S+)`, 'm').exec(output);
    return m ? parseWrkDuration(m[1]!) : NaN;
  };
  const p50 = percentile(50);
  const latency: WrkLatency | null = Number.isFinite(p50)
    ? {
        p50,
        p75: percentile(75),
        p90: percentile(90),
        p99: percentile(99),
        mean: latencyLine ? parseWrkDuration(latencyLine[1]!) : NaN,
        max: latencyLine ? parseWrkDuration(latencyLine[3]!) : NaN,
      }
    : null;
  let statuses: Record<string, number> | null = null;
  const scriptValues: Record<string, number> = {};
  for (const line of output.split('\n')) {
    const status = /^status (\d{3}) (\d+)$/.exec(line.trim());
    if (status) {
      statuses ??= {};
      statuses[status[1]!] = (statuses[status[1]!] ?? 0) + Number(status[2]);
      continue;
    }
    const value = /^bench ([a-z_]+) (\d+)$/.exec(line.trim());
    if (value) scriptValues[value[1]!] = (scriptValues[value[1]!] ?? 0) + Number(value[2]);
  }
  return {
    requests: requestsMatch ? Number(requestsMatch[1]) : NaN,
    seconds: requestsMatch ? parseWrkDuration(`${requestsMatch[2]}${requestsMatch[3]}`) / 1000 : NaN,
    requestsPerSecond: rps ? Number(rps[1]) : NaN,
    latency,
    non2xx3xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: socket
      ? { connect: Number(socket[1]), read: Number(socket[2]), write: Number(socket[3]), timeout: Number(socket[4]) }
      : { connect: 0, read: 0, write: 0, timeout: 0 },
    statuses,
    scriptValues,
    args,
    output,
  };
}

/** Loopback only: a benchmark must never aim its load at another machine. */
function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '[::1]') throw new Error(`refusing to load ${url}: benchmarks talk to 127.0.0.1 only`);
}

/** Pids of wrk runs still going, so a bench that is stopped can stop them too. */
const running = new Set<number>();

/** Sends SIGTERM to every wrk this process started and that still runs. */
export function stopAllWrk(): void {
  for (const pid of running) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

/** Runs `wrk --latency` and parses its report; rejects when wrk fails or prints no result. */
export function runWrk(options: WrkOptions): Promise<WrkResult> {
  assertLoopback(options.url);
  const args = [
    '--latency',
    '-t', String(options.threads),
    '-c', String(options.connections),
    '-d', `${options.seconds}s`,
    '--timeout', `${options.timeoutSeconds ?? 5}s`,
    ...(options.script ? ['-s', options.script] : []),
    options.url,
    ...(options.scriptArgs && options.scriptArgs.length > 0 ? ['--', ...options.scriptArgs] : []),
  ];
  return new Promise((resolveRun, reject) => {
    const child = spawn(options.wrk, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid ?? 0;
    if (pid) running.add(pid);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let second = 0;
    const ticker = options.onTick ? setInterval(() => options.onTick!(++second, pid), 1000) : null;
    const finish = () => {
      if (ticker) clearInterval(ticker);
      running.delete(pid);
    };
    child.once('error', (error) => {
      finish();
      reject(error);
    });
    child.once('close', (code, signal) => {
      finish();
      const result = parseWrkOutput(output, args);
      if (code !== 0 || !Number.isFinite(result.requestsPerSecond)) {
        reject(new Error(`wrk ${args.join(' ')} exited with ${code ?? signal}:\n${output.trim()}`));
        return;
      }
      resolveRun(result);
    });
  });
}
