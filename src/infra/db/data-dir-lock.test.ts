import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirInUseError, DataDirLock, processIsAlive } from './data-dir-lock.ts';

/** A pid that was a process a moment ago and is none now. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

/**
 * A pid that is a zombie for a few seconds: killed (here, ended) but not reaped, as a server killed
 * in a container without an init can stay. `sleep 5` inherits the shell's child and never reaps it.
 */
async function zombiePid(): Promise<number> {
  const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = Number.parseInt(await new Promise<string>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()))), 10);
  for (let i = 0; i < 100 && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z'); i++) await new Promise((r) => setTimeout(r, 20));
  return pid;
}

describe('DataDirLock', () => {
  const root = mkdtempSync(join(tmpdir(), 'yeyak-lock-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  /** A data directory not opened yet (its parent exists, as the lock file's place). */
  const freshDir = () => {
    const parent = join(root, `dir-${++n}`);
    mkdirSync(parent);
    return join(parent, 'pglite');
  };

  it('is one file beside the directory naming this process, gone once released', () => {
    const dir = freshDir();
    const lock = DataDirLock.take(dir);
    expect(readFileSync(`${dir}.lock`, 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
    expect(existsSync(`${dir}.lock`)).toBe(false);
    lock.release();
    DataDirLock.take(dir).release();
  });

  it('refuses a second opening in this process until the first is released', () => {
    const dir = freshDir();
    const lock = DataDirLock.take(dir);
    expect(() => DataDirLock.take(dir)).toThrow(DataDirInUseError);
    lock.release();
    DataDirLock.take(dir).release();
  });

  it('refuses while the process it names is alive, and says which process and which file', () => {
    const dir = freshDir();
    // The process that started this test runner is alive for as long as the test runs.
    writeFileSync(`${dir}.lock`, `${process.ppid}\n`);
    let refusal: unknown;
    try {
      DataDirLock.take(dir);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(DataDirInUseError);
    expect((refusal as DataDirInUseError).holderPid).toBe(process.ppid);
    expect((refusal as Error).message).toContain(`open in process ${process.ppid} (${dir}.lock)`);
    // The holder's lock is left as it was.
    expect(readFileSync(`${dir}.lock`, 'utf8')).toBe(`${process.ppid}\n`);
  });

  it('takes over a lock whose process is gone (kill -9), or names this process without its holding it, or is unreadable', async () => {
    for (const content of [`${await deadPid()}\n`, `${process.pid}\n`, '', 'not a pid']) {
      const dir = freshDir();
      writeFileSync(`${dir}.lock`, content);
      const lock = DataDirLock.take(dir);
      expect(readFileSync(`${dir}.lock`, 'utf8')).toBe(`${process.pid}\n`);
      lock.release();
    }
  });

  it.skipIf(process.platform !== 'linux')('takes over a lock whose process is a zombie', async () => {
    const pid = await zombiePid();
    expect(readFileSync(`/proc/${pid}/stat`, 'utf8')).toContain(') Z');
    expect(() => process.kill(pid, 0)).not.toThrow();
    expect(processIsAlive(pid)).toBe(false);
    const dir = freshDir();
    writeFileSync(`${dir}.lock`, `${pid}\n`);
    DataDirLock.take(dir).release();
  });

  it('leaves a lock it no longer owns alone when released', () => {
    const dir = freshDir();
    const lock = DataDirLock.take(dir);
    // Someone removed it and another process took the directory since.
    writeFileSync(`${dir}.lock`, `${process.ppid}\n`);
    lock.release();
    expect(readFileSync(`${dir}.lock`, 'utf8')).toBe(`${process.ppid}\n`);
  });
});
