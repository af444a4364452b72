import { parseCheckpoint, type Checkpoint } from '../domain/checkpoint.ts';
import { leafHash, rootHash, type HashReader } from '../domain/merkle.ts';
import { NoteError, openNote, verifierOf } from '../../../lib/signed-note.ts';
import { TILE_WIDTH, decodeEntryBundle, encodeTileIndex, hashReaderOfTiles, tileWidth } from '../domain/tiles.ts';

/** Fetches a path of the log's server: its status and body. */
export type LogFetch = (path: string) => Promise<{ status: number; body: Buffer }>;

/** A log as downloaded and checked: the signed checkpoint, a reader of its tree, its entries. */
export interface DownloadedLog {
  note: string;
  checkpoint: Checkpoint;
  read: HashReader;
  entries: Buffer[];
  /** What does not hold: a bad signature, tiles that do not hash to the signed root, an entry that is not its leaf. */
  violations: string[];
}

const tileSuffix = (size: number, level: number, index: number) => {
  const width = tileWidth(size, level, index);
  return `${encodeTileIndex(index)}${width < TILE_WIDTH ? `.p/${width}` : ''}`;
};

/** The fetch of a public server at `baseUrl` (Node's fetch). */
export function httpLogFetch(baseUrl: string): LogFetch {
  return async (path) => {
    const res = await fetch(new URL(path, baseUrl));
    return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
  };
}

export async function fetchOk(get: LogFetch, path: string): Promise<Buffer> {
  const res = await get(path);
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
  return res.body;
}

/**
 * The hashes of a log's tree of `size` entries, from its hash tiles under `base` (`…/log`). Full
 * tiles never change: with a `cache`, each is fetched once across calls.
 */
export async function fetchTree(get: LogFetch, base: string, size: number, cache = new Map<string, Buffer>()): Promise<HashReader> {
  const tiles = new Map<string, Buffer>();
  for (let level = 0; tileWidth(size, level, 0) > 0; level++) {
    for (let index = 0; tileWidth(size, level, index) > 0; index++) {
      const id = `${level}/${index}`;
      const full = tileWidth(size, level, index) === TILE_WIDTH;
      const tile = (full ? cache.get(id) : undefined) ?? (await fetchOk(get, `${base}/tile/${level}/${tileSuffix(size, level, index)}`));
      if (full) cache.set(id, tile);
      tiles.set(id, tile);
    }
  }
  return hashReaderOfTiles((level, index) => tiles.get(`${level}/${index}`) ?? Buffer.alloc(0));
}

/** Where a campaign's log is served. */
export const logBase = (campaignId: string) => `/api/v1/campaigns/${encodeURIComponent(campaignId)}/log`;

/**
 * Downloads a campaign's log as C2SP formats describe it, with no Yeyak code on the server's side
 * trusted: the checkpoint is opened with the verifier key the auditor holds, every hash tile of its
 * tree is fetched and must hash to the signed root, and every entry must hash to its leaf.
 */
export async function downloadLog(get: LogFetch, campaignId: string, verifierKey: string): Promise<DownloadedLog> {
  const base = logBase(campaignId);
  const note = (await fetchOk(get, `${base}/checkpoint`)).toString('utf8');
  const violations: string[] = [];
  let text: string;
  try {
    text = openNote(note, [verifierOf(verifierKey)]).text;
  } catch (error) {
    if (!(error instanceof NoteError)) throw error;
    return { note, checkpoint: { origin: '', size: 0, root: Buffer.alloc(32), extensions: [] }, read: () => Buffer.alloc(32), entries: [], violations: [`the checkpoint is not signed by the log's key (${error.message})`] };
  }
  const checkpoint = parseCheckpoint(text);
  if (!checkpoint.origin.endsWith(`/${campaignId}`)) violations.push(`the checkpoint names another log (${checkpoint.origin})`);
  const read = await fetchTree(get, base, checkpoint.size);
  if (!rootHash(read, checkpoint.size).equals(checkpoint.root)) violations.push('the tiles do not hash to the signed root');
  const entries: Buffer[] = [];
  for (let index = 0; tileWidth(checkpoint.size, 0, index) > 0; index++) {
    entries.push(...decodeEntryBundle(await fetchOk(get, `${base}/tile/entries/${tileSuffix(checkpoint.size, 0, index)}`)));
  }
  if (entries.length !== checkpoint.size) violations.push(`the entry bundles hold ${entries.length} entries, the tree ${checkpoint.size}`);
  entries.forEach((entry, i) => {
    if (i < checkpoint.size && !leafHash(entry).equals(read(0, i))) violations.push(`leaf ${i}: the entry served is not the one the tree holds`);
  });
  return { note, checkpoint, read, entries, violations };
}
