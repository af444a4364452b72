import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A port that was free a moment ago (the stand-in is restarted on the same one). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface StandInProcess {
  url: string;
  child: ChildProcess;
  /** SIGKILL: the stand-in is gone at once, as in a real outage. */
  kill(): Promise<void>;
}

/**
 * Starts the registry stand-in as a real child process (Node with tsx's loader, this process's
 * Node) on `port`, and resolves once it prints that it listens.
 */
export async function startRegistryProcess(port: number, flags: string[] = []): Promise<StandInProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/stand-ins/registry/main.ts', '--port', String(port), ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`registry stand-in did not start: ${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`registry stand-in exited with ${code}: ${output}`)));
  });
  return {
    url,
    child,
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

/** GET/POST a stand-in's JSON admin API. */
export async function standInAdmin<T = Record<string, unknown>>(url: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(url + path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path} → ${res.status}`);
  return (await res.json()) as T;
}
