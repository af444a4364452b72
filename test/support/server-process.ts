import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './redis.ts';
import { OPERATOR_KEY } from './test-app.ts';

/** A real Yeyak process (`src/server.ts` through tsx) on the embedded store in `dataDir`, its own process group. */
export interface ServerProcess {
  base: string;
  child: ChildProcess;
  /** What it wrote to standard output so far. */
  output(): string;
  /** What it wrote to standard error so far. */
  errors(): string;
  /** Resolves with its exit code. */
  exited: Promise<number | null>;
  /** Waits until `path` answers 2xx; throws with what the server wrote after a minute. */
  until(path: string): Promise<void>;
  /** SIGKILL to the whole group (tsx and the server); harmless once gone. */
  kill(): void;
}

/** Starts the server on a free port with the defaults of a fresh clone, plus `env`; tsx forwards signals to it. */
export async function startServerProcess(dataDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(join('node_modules', '.bin', 'tsx'), ['src/server.ts'], {
    env: { ...process.env, PORT: String(port), YEYAK_DATA_DIR: dataDir, YEYAK_DEMO: '0', YEYAK_OPERATOR_KEY: OPERATOR_KEY, DATABASE_URL: '', REDIS_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  let errors = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    base,
    child,
    output: () => output,
    errors: () => errors,
    exited,
    async until(path) {
      for (let i = 0; i < 600; i++) {
        if (await fetch(`${base}${path}`).then((r) => r.ok, () => false)) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${path} did not answer 2xx within a minute; the server wrote:\n${output.slice(-2000)}\n${errors.slice(-2000)}`);
    },
    kill() {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}
