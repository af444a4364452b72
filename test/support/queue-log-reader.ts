import type { FastifyInstance } from 'fastify';
import { parseCheckpoint, type Checkpoint } from '../../src/modules/transparency/domain/checkpoint.ts';
import { decodeEntry, type LogEntry } from '../../src/modules/transparency/domain/log-entries.ts';
import { openNote, verifierOf } from '../../src/lib/signed-note.ts';
import { TILE_WIDTH, decodeEntryBundle, hashReaderOfTiles, tileWidth } from '../../src/modules/transparency/domain/tiles.ts';
import type { HashReader } from '../../src/modules/transparency/domain/merkle.ts';

const tileIndex = (index: number) => String(index).padStart(3, '0');
const partial = (width: number) => (width < TILE_WIDTH ? `.p/${width}` : '');

/**
 * Reads a campaign's log as an outsider would, over HTTP only: the key, the checkpoint opened
 * with it, every hash tile of the tree it signs (each answered immutable), and, with `entries`,
 * every entry from the entry bundles.
 */
export async function readServedLog(app: FastifyInstance, campaignId: string, entries = false): Promise<{ checkpoint: Checkpoint; read: HashReader; entries: Buffer[]; decoded: LogEntry[] }> {
  const get = async (url: string) => {
    const res = await app.inject({ method: 'GET', url });
    if (res.statusCode !== 200) throw new Error(`GET ${url} → ${res.statusCode}: ${res.body}`);
    return res;
  };
  const key = (await get('/api/v1/log/key')).body.trim();
  const { text } = openNote((await get(`/api/v1/campaigns/${campaignId}/log/checkpoint`)).body, [verifierOf(key)]);
  const checkpoint = parseCheckpoint(text);
  const tiles = new Map<string, Buffer>();
  for (let level = 0; tileWidth(checkpoint.size, level, 0) > 0; level++) {
    for (let index = 0; tileWidth(checkpoint.size, level, index) > 0; index++) {
      const res = await get(`/api/v1/campaigns/${campaignId}/log/tile/${level}/${tileIndex(index)}${partial(tileWidth(checkpoint.size, level, index))}`);
      if (res.headers['cache-control'] !== 'public, max-age=31536000, immutable') throw new Error(`a tile served as ${res.headers['cache-control']}`);
      tiles.set(`${level}/${index}`, res.rawPayload);
    }
  }
  const read = hashReaderOfTiles((level, index) => tiles.get(`${level}/${index}`) ?? Buffer.alloc(0));
  const bundles: Buffer[] = [];
  for (let index = 0; entries && tileWidth(checkpoint.size, 0, index) > 0; index++) {
    bundles.push(...decodeEntryBundle((await get(`/api/v1/campaigns/${campaignId}/log/tile/entries/${tileIndex(index)}${partial(tileWidth(checkpoint.size, 0, index))}`)).rawPayload));
  }
  return { checkpoint, read, entries: bundles, decoded: bundles.map((e) => decodeEntry(e)) };
}
