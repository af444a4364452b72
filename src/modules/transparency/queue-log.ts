import type { Db } from '../../infra/db/database.ts';
import type { Clock } from '../../lib/clock.ts';
import { formatCheckpoint } from './domain/checkpoint.ts';
import { CompactHashLevels, TileNotHeld } from './domain/compact-hash-levels.ts';
import { LoggedPlaces } from './domain/logged-places.ts';
import { encodeEntryLine, type LogEntry } from './domain/log-entries.ts';
import { consistencyProof, type HashReader, inclusionProof, rootHash } from './domain/merkle.ts';
import { logHashing } from './log-hashing.ts';
import { signNote, type NoteSigner } from '../../lib/signed-note.ts';
import { TILE_WIDTH, encodeEntryBundle, tileHashes, tileWidth } from './domain/tiles.ts';
import { insertLogEntries, readLogEntries, type LogCursor } from './queue-log.repository.ts';

/** How often a growing log's checkpoint is signed again, at most: signing is per checkpoint, never per request. */
const CHECKPOINT_INTERVAL_MS = 1000;

/** How many stored entries a load reads per statement. */
const LOAD_PAGE = 10_000;

/** How often a node that does not write a campaign's log reads what the writer stored, at most. */
const FOLLOW_INTERVAL_MS = 500;

/** An entry to append, with what it is found by when not by its position (a pre-queue entry's commitment, `seed <round>`, `draw <round>`) or null. */
export interface NewEntry {
  entry: LogEntry;
  subject: string | null;
}

/**
 * One campaign's queue log (docs/transparency.md): its entries stored in the database, the
 * system of record, before they enter the tree; its hashes in memory, from which checkpoints,
 * tiles and proofs are served. Below the first tile level only the growing right edge and the
 * last tiles used are held (`CompactHashLevels`, about a quarter of a byte an entry besides): a
 * proof or tile of the past reads its tile's entries back from their bundle and hashes them again.
 */
export class CampaignQueueLog {
  readonly #levels = new CompactHashLevels();
  readonly #places = new LoggedPlaces();
  #tail: Promise<unknown> = Promise.resolve();
  #signed: { size: number; note: string; atMs: number } | null = null;
  #followedAtMs = -Infinity;
  #following: Promise<void> | null = null;
  #past: { size: number; note: string } | null = null;

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

  /** Reads the entries stored past the tree into it (a node starting, following, or taking the log over). */
  load(): Promise<void> {
    return this.serially(async () => {
      this.#followedAtMs = this.clock.now().getTime();
      for (;;) {
        const page = await readLogEntries(this.db, this.campaignId, this.size, this.size + LOAD_PAGE);
        this.#enter(page, await logHashing.treeHashes(page, this.size, this.#levels.rightEdge()));
        if (page.length < LOAD_PAGE) return;
      }
    });
  }

  /**
   * Reads what the log's writer (another node) stored, at most once per FOLLOW_INTERVAL_MS. Callers
   * while a read is under way share it (a repeat join asks on every answer), each waiting for it.
   */
  follow(): Promise<void> {
    if (this.#following) return this.#following;
    if (this.clock.now().getTime() - this.#followedAtMs < FOLLOW_INTERVAL_MS) return Promise.resolve();
    this.#following = this.load().finally(() => (this.#following = null));
    return this.#following;
  }

  /**
   * Appends entries in order, one append at a time: stored first (so the tree never holds what the
   * database lost), with the cursor of the store events they came from, then hashed in. Returns
   * the first entry's leaf index.
   */
  append(entries: readonly NewEntry[], cursor: LogCursor | null = null): Promise<number> {
    const stored = entries.map((e) => ({ line: encodeEntryLine(e.entry), subject: e.subject }));
    const lines = stored.map((e) => e.line);
    return this.serially(async () => {
      const first = this.size;
      // Hashed off the main thread while the database stores them.
      const hashing = logHashing.treeHashes(lines, first, this.#levels.rightEdge());
      await insertLogEntries(this.db, this.campaignId, first, stored, cursor);
      this.#enter(lines, await hashing);
      return first;
    });
  }

  /**
   * Stored entries into the tree, with the hashes made for them at the tree's present size
   * (`LogHashing.treeHashes`), and what each says of the queue's positions.
   */
  #enter(lines: readonly string[], hashes: readonly Uint8Array[]): void {
    // Each leaf's hash, and one more for each subtree it completes: checked before the tree changes.
    let expected = lines.length;
    for (let i = 0; i < lines.length; i++) for (let index = this.size + i; index % 2 === 1; index = (index - 1) / 2) expected++;
    if (hashes.length !== expected) throw new Error(`the queue log's hashes for ${lines.length} entries were ${hashes.length}, not ${expected}`);
    let next = 0;
    const made = () => hashes[next++]!;
    for (const line of lines) this.#places.observe(line, this.#levels.appendHashed(made(), made));
  }

  /** What the entries in the tree say of the queue's positions (which leaf logs each, admitted, served, drawn). */
  get places(): Pick<LoggedPlaces, 'leafOf' | 'drawn' | 'admitted' | 'abandoned' | 'servingUpTo' | 'lastPlaced' | 'drawnRounds'> {
    return this.#places;
  }

  /** The line of leaf `leafIndex` as stored, or null past the stored log. */
  async entryAt(leafIndex: number): Promise<string | null> {
    const [line] = await readLogEntries(this.db, this.campaignId, leafIndex, leafIndex + 1);
    return line ?? null;
  }

  /** Runs `work` after every change started before it (loads and appends never interleave). */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const done = this.#tail.then(work);
    this.#tail = done.catch(() => {});
    return done;
  }

  /** The latest checkpoint, a signed note: signed again only once the tree grew and a second has passed. */
  checkpoint(): string {
    return this.signedCheckpoint().note;
  }

  /** The latest checkpoint and the tree size it signs. */
  signedCheckpoint(): { size: number; note: string } {
    const nowMs = this.clock.now().getTime();
    const last = this.#signed;
    if (last && (last.size === this.size || nowMs - last.atMs < CHECKPOINT_INTERVAL_MS)) return last;
    const size = this.size;
    const text = formatCheckpoint({ origin: this.origin, size, root: rootHash(this.#levels.read, size), extensions: [] });
    this.#signed = { size, note: signNote(text, [this.signer]), atMs: nowMs };
    return this.#signed;
  }

  /**
   * Runs `compute` over the tree's hashes; a tile it needs that is not held is read back from its
   * entries' bundle and hashed again (at most a few per call: the tiles of the sizes and leaf asked).
   */
  async #withTiles<T>(compute: (read: HashReader) => T): Promise<T> {
    for (let loads = 0; ; loads++) {
      try {
        return compute(this.#levels.read);
      } catch (error) {
        if (!(error instanceof TileNotHeld) || loads >= 8) throw error;
        const lines = await readLogEntries(this.db, this.campaignId, error.tile * TILE_WIDTH, (error.tile + 1) * TILE_WIDTH);
        this.#levels.loadTile(error.tile, await logHashing.leafHashes(lines));
      }
    }
  }

  /** The root of the tree of its first `size` entries. */
  rootAt(size: number): Promise<Buffer> {
    return this.#withTiles((read) => rootHash(read, size));
  }

  /** The log's signed note of the checkpoint of an earlier size (a witnessed one), signed once per size. */
  async signedAtSize(size: number): Promise<string> {
    if (this.#past?.size !== size) {
      const text = formatCheckpoint({ origin: this.origin, size, root: await this.rootAt(size), extensions: [] });
      this.#past = { size, note: signNote(text, [this.signer]) };
    }
    return this.#past.note;
  }

  /** A hash tile's bytes, or null while the tree does not reach that width of it. */
  async hashTile(level: number, index: number, width: number): Promise<Buffer | null> {
    if (tileWidth(this.size, level, index) < width) return null;
    return this.#withTiles((read) => tileHashes(read, level, index, width));
  }

  /** An entry bundle's bytes, or null while the tree does not reach that width of it. */
  async entryBundle(index: number, width: number): Promise<Buffer | null> {
    if (tileWidth(this.size, 0, index) < width) return null;
    const entries = await readLogEntries(this.db, this.campaignId, index * TILE_WIDTH, index * TILE_WIDTH + width);
    return entries.length === width ? encodeEntryBundle(entries.map((e) => Buffer.from(e, 'ascii'))) : null;
  }

  /** The inclusion proof of leaf `index` in the tree of `size` entries. */
  inclusionProof(index: number, size: number): Promise<Buffer[]> {
    return this.#withTiles((read) => inclusionProof(read, index, size));
  }

  /** The proof that the tree of `oldSize` entries is a prefix of the tree of `newSize`. */
  consistencyProof(oldSize: number, newSize: number): Promise<Buffer[]> {
    return this.#withTiles((read) => consistencyProof(read, oldSize, newSize));
  }
}

/**
 * Every campaign's queue log on this node, each loaded from the database on first use. Null logs
 * where the deployment keeps none (`YEYAK_QUEUE_LOG=off`: no signer key). The node that holds a campaign's sequencer lease
 * appends (queue-sequencer.ts); every other node follows what it stored.
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
