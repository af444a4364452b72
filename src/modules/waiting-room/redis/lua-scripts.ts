import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';

/** A standalone client or a cluster: every script touches one campaign's keys, in one slot. */
export type RedisConnection = Redis | Cluster;

/** A Lua script ready to run by SHA: its text with includes expanded, and its key count. */
export interface LuaScript {
  name: string;
  numberOfKeys: number;
  body: string;
  sha: string;
}

const SCRIPTS_DIR = new URL('./scripts/', import.meta.url);
const INCLUDE = /^-- @include "([a-z0-9-]+)"$/gm;

/**
 * Reads `scripts/<name>-<keys>.lua`, expanding each `-- @include "x"` line with
 * `scripts/includes/x.lua` (shared helpers, bullmq style). The key count comes from the file name.
 */
function loadScript(fileName: string): LuaScript {
  const match = /^([a-z-]+)-(\d+)\.lua$/.exec(fileName);
  if (!match?.[1] || !match[2]) throw new Error(`A script's file name must be <name>-<key count>.lua: ${fileName}`);
  const source = readFileSync(new URL(fileName, SCRIPTS_DIR), 'utf8');
  const body = source.replace(INCLUDE, (_line, include: string) => readFileSync(new URL(`includes/${include}.lua`, SCRIPTS_DIR), 'utf8'));
  return { name: match[1], numberOfKeys: Number(match[2]), body, sha: createHash('sha1').update(body).digest('hex') };
}

/** The waiting room's scripts, one per state change (and one per consistent read). */
export const SCRIPTS = {
  join: loadScript('join-4.lua'),
  open: loadScript('open-3.lua'),
  positionOf: loadScript('position-of-3.lua'),
  lookup: loadScript('lookup-3.lua'),
  reinstate: loadScript('reinstate-5.lua'),
  leave: loadScript('leave-7.lua'),
  tick: loadScript('tick-7.lua'),
  snapshot: loadScript('snapshot-3.lua'),
  admit: loadScript('admit-7.lua'),
  extend: loadScript('extend-1.lua'),
  release: loadScript('release-2.lua'),
  setPaused: loadScript('set-paused-2.lua'),
  setClosed: loadScript('set-closed-2.lua'),
  initialize: loadScript('initialize-1.lua'),
  readLog: loadScript('read-log-2.lua'),
  dropLog: loadScript('drop-log-2.lua'),
  holdSequencer: loadScript('hold-sequencer-1.lua'),
} as const satisfies Record<string, LuaScript>;

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * Runs a script by its SHA. When the server does not know it (first use, or after a restart or
 * failover emptied the script cache) it is sent once in full with EVAL, which also caches it on
 * the server that holds the keys, and later calls go by SHA again. NOSCRIPT means the script did
 * not run, so sending it again cannot apply a change twice.
 */
export async function runScript(client: RedisConnection, script: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
  if (keys.length !== script.numberOfKeys) throw new Error(`${script.name} takes ${script.numberOfKeys} keys, got ${keys.length}`);
  const argv = [...keys, ...args.map(String)];
  try {
    return await client.evalsha(script.sha, script.numberOfKeys, ...argv);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return client.eval(script.body, script.numberOfKeys, ...argv);
  }
}
