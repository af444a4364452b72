import type { Db } from '../../infra/db/database.ts';
import type { Clock } from '../../lib/clock.ts';
import { formatCheckpoint } from './domain/checkpoint.ts';
import { HashLevels } from './domain/hash-levels.ts';
import { encodeEntry, type LogEntry } from './domain/log-entries.ts';
import { consistencyProof, inclusionProof, leafHash, rootHash } from './domain/merkle.ts';
import { signNote, type NoteSigner } from './domain/signed-note.ts';
import { TILE_WIDTH, encodeEntryBundle, tileHashes, tileWidth } from './domain/tiles.ts';
import { insertLogEntries, readLogEntries } from './queue-log.repository.ts';

/** How often a growing log's checkpoint is signed again, at most: signing is per checkpoint, never per request. */
export const CHECKPOINT_INTERVAL_MS = 1000;

/** How many stored entries a load reads per statement. */
const LOAD_PAGE = 10_000;

/**
 * One campaign's queue log (docs/transparency.md): its entries stored in the database, the
 * system of record, before they enter the tree; its hashes in memory (about 64 bytes an entry),
 * from which checkpoints, tiles and proofs are served.
 */
export class CampaignQueueLog {
  readonly #levels = new HashLevels();
  #tail: Promise<unknown> = Promise.resolve();
  #signed: { size: number; note: string; atMs: number } | null = null;

  constructor(
    readonly campaignId: string,
    /** The checkpoints' origin line: the key's name and the campaign. */
    readonly origin: string,
    private readonly db: Db,
    private readonly signer: NoteSigner,
    private readonly clock: Clock,
  ) {}

  /** How many entries the tree holds. */
  get size(): number {
    return this.#levels.size;
  }

  /** Reads the stored entries into the tree (a node starting, or taking the log over). */
  async load(): Promise<void> {
    for (;;) {
      const page = await readLogEntries(this.db, this.campaignId, this.size, this.size + LOAD_PAGE);
      for (const entry of page) this.#levels.append(leafHash(Buffer.from(entry, 'ascii')));
      if (page.length < LOAD_PAGE) return;
    }
  }

  /**
   * Appends entries in order, one append at a time: stored first (so the tree never holds what the
   * database lost), then hashed in. Returns the first entry's leaf index.
   */
  append(entries: readonly LogEntry[]): Promise<number> {
    const lines = entries.map((e) => encodeEntry(e).toString('ascii'));
    const appended = this.#tail.then(async () => {
      const first = this.size;
      await insertLogEntries(this.db, this.campaignId, first, lines);
      for (const line of lines) this.#levels.append(leafHash(Buffer.from(line, 'ascii')));
      return first;
    });
    this.#tail = appended.catch(() => {});
    return appended;
  }

  /** The latest checkpoint, a signed note: signed again only once the tree grew and a second has passed. */
  checkpoint(): string {
    const nowMs = this.clock.now().getTime();
    const last = this.#signed;
    if (last && (last.size === this.size || nowMs - last.atMs < CHECKPOINT_INTERVAL_MS)) return last.note;
    const size = this.size;
    const text = formatCheckpoint({ origin: this.origin, size, root: rootHash(this.#levels.read, size), extensions: [] });
    this.#signed = { size, note: signNote(text, [this.signer]), atMs: nowMs };
    return this.#signed.note;
  }

  /** A hash tile's bytes, or null while the tree does not reach that width of it. */
  hashTile(level: number, index: number, width: number): Buffer | null {
    if (tileWidth(this.size, level, index) < width) return null;
    return tileHashes(this.#levels.read, level, index, width);
  }

  /** An entry bundle's bytes, or null while the tree does not reach that width of it. */
  async entryBundle(index: number, width: number): Promise<Buffer | null> {
    if (tileWidth(this.size, 0, index) < width) return null;
    const entries = await readLogEntries(this.db, this.campaignId, index * TILE_WIDTH, index * TILE_WIDTH + width);
    return entries.length === width ? encodeEntryBundle(entries.map((e) => Buffer.from(e, 'ascii'))) : null;
  }

  /** The inclusion proof of leaf `index` in the tree of `size` entries. */
  inclusionProof(index: number, size: number): Buffer[] {
    return inclusionProof(this.#levels.read, index, size);
  }

  /** The proof that the tree of `oldSize` entries is a prefix of the tree of `newSize`. */
  consistencyProof(oldSize: number, newSize: number): Buffer[] {
    return consistencyProof(this.#levels.read, oldSize, newSize);
  }
}

/**
 * Every campaign's queue log on this node, each loaded from the database on first use. Null logs
 * without a signer key (`YEYAK_LOG_SIGNER_KEY`). Nothing appends yet but tests: the queue's
 * sequencer is issue 22's next part, and until then a node serves the entries it loaded.
 */
export class QueueLogs {
  readonly #logs = new Map<string, Promise<CampaignQueueLog>>();

  constructor(
    private readonly db: Db,
    private readonly signer: (NoteSigner & { verifierKey: string }) | null,
    private readonly clock: Clock,
  ) {}

  /** The log's verifier key, in the C2SP verifier key format; null when no key is configured. */
  get verifierKey(): string | null {
    return this.signer?.verifierKey ?? null;
  }

  /** The campaign's log; null when no key is configured. */
  forCampaign(campaignId: string): Promise<CampaignQueueLog> | null {
    const signer = this.signer;
    if (!signer) return null;
    let log = this.#logs.get(campaignId);
    if (!log) {
      const created = new CampaignQueueLog(campaignId, `${signer.name}/${campaignId}`, this.db, signer, this.clock);
      log = created.load().then(() => created);
      // A failed load is tried again by the next caller.
      log.catch(() => this.#logs.delete(campaignId));
      this.#logs.set(campaignId, log);
    }
    return log;
  }
}
