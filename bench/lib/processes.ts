/**
 * Child processes of a benchmark and their clean-up: forked TypeScript entry points (through tsx,
 * with this process's Node), IPC messages awaited with a timeout, a graceful stop (SIGTERM, then
 * SIGKILL), and one list of clean-ups run exactly once — on success, on failure, and on Ctrl-C.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

/** Things to undo on the way out, last first. */
const cleanups: { name: string; run: () => Promise<void> | void }[] = [];
let cleaning: Promise<void> | null = null;
let signals = 0;

/** True once SIGINT/SIGTERM arrived (what fails afterwards is the interruption, not the bench). */
export function interrupted(): boolean {
  return signals > 0;
}

/** Registers a clean-up (run in reverse order of registration). */
export function onCleanup(name: string, run: () => Promise<void> | void): void {
  cleanups.push({ name, run });
}

/** Runs the clean-ups once; every caller (signal, failure, success) waits for the same run. */
export function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    // Stopping servers under work still in flight makes their clients error out: expected from here on.
    process.on('uncaughtException', (error) => console.error(`  (ignored while cleaning up: ${error.message})`));
    for (const { name, run } of cleanups.reverse()) {
      try {
        if (signals > 0) console.error(`  ${name}…`);
        await run();
      } catch (error) {
        console.error(`cleanup "${name}" failed: ${String(error)}`);
      }
    }
  })();
  return cleaning;
}

/**
 * Ctrl-C / SIGTERM: the first starts the clean-up and exits 130 when it is done (a Ctrl-C reaches
 * the process twice, from the terminal and relayed by tsx: repeats wait), a third gives up on it.
 * `beforeCleanup` runs synchronously first (e.g. to stop load generators at once).
 */
export function installSignalHandlers(beforeCleanup?: () => void): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      signals++;
      if (signals === 1) {
        console.error(`\n${signal}: cleaning up`);
        beforeCleanup?.();
        void cleanUp().finally(() => process.exit(130));
      } else if (signals >= 3) {
        console.error(`${signal} again: exiting without finishing the cleanup`);
        process.exit(130);
      }
    });
  }
}

/** Stops a child we started: SIGTERM, then SIGKILL after `graceMs`. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Forks a TypeScript file with this process's Node and tsx, an IPC channel, and inherited output —
 * or, with `stdoutFile`, its standard output appended to that file: an app at the default log level
 * writes its request lines there, as a deployed node writes them to its log collector.
 */
export function forkTs(file: string, options: { cwd: string; env: NodeJS.ProcessEnv; execArgv?: string[]; stdoutFile?: string }): ChildProcess {
  const stdout = options.stdoutFile ? openSync(options.stdoutFile, 'a') : 'inherit';
  const child = fork(file, [], {
    cwd: options.cwd,
    env: options.env,
    execArgv: [...(options.execArgv ?? []), '--import', 'tsx'],
    stdio: ['ignore', stdout, 'inherit', 'ipc'],
  });
  if (typeof stdout === 'number') closeSync(stdout); // the child has its own copy
  return child;
}

/** Waits for a message of a type from a child, failing if it exits first or takes too long. */
export function waitForMessage<T extends { type: string }>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolveMessage, reject) => {
    const timer = setTimeout(() => finish(new Error(`no "${type}" from pid ${child.pid} within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (message: T) => {
      if (message.type === type) finish(null, message);
    };
    const onExit = (code: number | null, signal: string | null) => finish(new Error(`pid ${child.pid} exited (${code ?? signal}) before "${type}"`));
    function finish(error: Error | null, message?: T) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolveMessage(message!);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export interface Elu {
  active: number;
  idle: number;
  /** Event-loop delay since the previous question, when the child measures it (ms). */
  delayMaxMs?: number;
  delayP99Ms?: number;
}

/** A child's cumulative event-loop busy and idle milliseconds, and its event-loop delay since the last question (it answers `{ type: 'elu' }` over IPC). */
export function eventLoopOf(child: ChildProcess): Promise<Elu> {
  const answer = waitForMessage<{ type: 'elu' } & Elu>(child, 'elu', 5000);
  child.send({ type: 'elu' });
  return answer;
}

/** Share of wall time (0–1) the event loop was busy between two readings. */
export function eventLoopBusy(start: Elu, end: Elu): number {
  const active = end.active - start.active;
  const total = active + end.idle - start.idle;
  return total > 0 ? active / total : NaN;
}

/**
 * Runs `main` when the module at `moduleUrl` is the process's entry point (not when a test
 * imports it), and exits with its code, or 2 with the error printed when it throws.
 *
 * @example
 * runAsEntryPoint(import.meta.url, main, 'chaos');
 */
export function runAsEntryPoint(moduleUrl: string, main: () => Promise<number>, name: string): void {
  if (moduleUrl !== `file://${process.argv[1]}`) return;
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`${name} failed:`, error);
      process.exit(2);
    },
  );
}
