import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Another live process has the embedded database open: opening it too would corrupt it. */
export class DataDirInUseError extends Error {
  constructor(
    readonly lockFile: string,
    readonly holderPid: number,
  ) {
    super(
      `the embedded database is open in process ${holderPid} (${lockFile}): stop that process first. ` +
        'If no Yeyak process uses this data directory any more, delete the lock file.',
    );
    this.name = 'DataDirInUseError';
  }
}

/** For a process's entry point: ends it with exit code 3 and the reason when `error` is a held data directory. */
export function exitIfDataDirInUse(error: unknown): void {
  if (!(error instanceof DataDirInUseError)) return;
  console.error(`cannot open the embedded database: ${error.message}`);
  process.exit(3);
}

/** Lock files this process holds: opening one of its own data directories twice is refused too. */
const held = new Set<string>();
let exitHookInstalled = false;

/**
 * Whether `pid` is a live process (EPERM: alive, but another user's). A zombie is not: killed, it
 * keeps its pid until its parent reaps it, which in a container without an init can take long.
 */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/** Linux's process state (`/proc/<pid>/stat`, the letter after the command's closing parenthesis); false elsewhere. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X';
  } catch {
    return false;
  }
}

/** The pid a lock file names, or null when it is gone or unreadable (a writer killed mid-write). */
function readHolder(lockFile: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(lockFile, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * One process at a time on an embedded data directory, as PostgreSQL's `postmaster.pid` keeps it:
 * PGlite has no lock of its own, and two processes writing one directory (a server still draining
 * and its successor, or a maintenance script beside the server) can leave it unable to start.
 *
 * The lock is `<dataDir>.lock`, created exclusively, holding the owner's pid. A lock whose process
 * is gone (kill -9, a power cut) is taken over, as is one naming this very process without its
 * holding it (a container restarted under the same pid). As with PostgreSQL's, two processes
 * taking over the same stale lock in the same instant could both succeed; a live holder is always
 * refused.
 */
export class DataDirLock {
  private constructor(readonly lockFile: string) {}

  /** Takes the lock on `dataDir` or throws `DataDirInUseError` naming the process that holds it. */
  static take(dataDir: string): DataDirLock {
    const lockFile = `${dataDir}.lock`;
    if (held.has(lockFile)) throw new DataDirInUseError(lockFile, process.pid);
    mkdirSync(dirname(lockFile), { recursive: true });
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
        held.add(lockFile);
        if (!exitHookInstalled) process.once('exit', releaseAtExit);
        exitHookInstalled = true;
        return new DataDirLock(lockFile);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = readHolder(lockFile);
      if (holder !== null && holder !== process.pid && processIsAlive(holder)) throw new DataDirInUseError(lockFile, holder);
      // Stale: its process is gone. Remove it and try again (another starter may win the retry).
      try {
        unlinkSync(lockFile);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    throw new Error(`could not take ${lockFile}: it kept reappearing`);
  }

  /** Gives the directory up; harmless twice. */
  release(): void {
    if (!held.delete(this.lockFile)) return;
    removeIfOurs(this.lockFile);
  }
}

function removeIfOurs(lockFile: string): void {
  if (readHolder(lockFile) !== process.pid) return;
  try {
    unlinkSync(lockFile);
  } catch {
    // gone already
  }
}

/** A process that exits without closing its database still leaves no lock behind. */
function releaseAtExit(): void {
  for (const lockFile of held) removeIfOurs(lockFile);
  held.clear();
}
