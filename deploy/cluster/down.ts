import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { memberName } from './layout.ts';
import { processAlive, readState, sleep, stopPart } from './processes.ts';

/**
 * Stops every part, newest first (the front before the nodes, the nodes before the stores), and
 * removes the directory. A postmaster runs in a session of its own: if Patroni could not stop it,
 * it is stopped by the pid in its data directory, so nothing is left running.
 */
export async function clusterDown(dir: string): Promise<number> {
  const state = readState(dir);
  const parts = state?.parts ?? [];
  for (const part of [...parts].reverse()) await stopPart(part);
  for (const member of [0, 1]) {
    const pidFile = join(dir, memberName(member), 'data', 'postmaster.pid');
    if (!existsSync(pidFile)) continue;
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (!(pid > 0) || !processAlive(pid)) continue;
    process.kill(pid, 'SIGQUIT');
    for (let i = 0; i < 50 && processAlive(pid); i++) await sleep(100);
    if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  rmSync(dir, { recursive: true, force: true });
  return parts.length;
}
