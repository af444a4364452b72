import type { Db } from '../../infra/db/database.ts';
import type { Clock } from '../../lib/clock.ts';
import { parseCheckpoint } from './domain/checkpoint.ts';
import { cosignedAt } from './domain/cosignature.ts';
import { COSIGNATURE_V1, NoteError, parseNote, verifierOf } from '../../lib/signed-note.ts';
import type { CampaignQueueLog } from './queue-log.ts';

/** How long a node answers from what it last read of a campaign's cosignatures. */
const READ_INTERVAL_MS = 1000;

/** The largest checkpoint witnesses cosigned: its size and each witness's cosignature line. */
export interface Witnessed {
  size: number;
  lines: string[];
}

/** Why a submitted cosignature is refused. */
export class CosignatureRefused extends Error {}

/**
 * The witnesses' cosignatures of the queue logs (docs/transparency.md "Witnesses"): accepted from
 * anyone who submits a cosigned checkpoint of this log by a witness the deployment names
 * (`YEYAK_LOG_WITNESSES`), stored, and served with the checkpoints.
 */
export class Cosignatures {
  readonly #witnesses: { key: string; id: string; name: string; keyId: number }[];
  readonly #read = new Map<string, { atMs: number; witnessed: Promise<Witnessed | null> }>();

  constructor(
    witnessKeys: readonly string[],
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.#witnesses = witnessKeys.map((key) => {
      const v = verifierOf(key, [COSIGNATURE_V1]);
      return { key, id: key.slice(0, key.indexOf('+', key.indexOf('+') + 1)), name: v.name, keyId: v.keyId };
    });
  }

  /**
   * Stores the cosignatures of a cosigned note of `log`'s checkpoint by the witnesses this
   * deployment names; returns their names. Refuses a checkpoint that is not this log's (another
   * origin, a size it does not reach, another root) or that no named witness cosigned.
   */
  async submit(log: CampaignQueueLog, note: string): Promise<string[]> {
    let text: string;
    let lines: { line: string; name: string; keyId: number }[];
    try {
      const parsed = parseNote(note);
      text = parsed.text;
      lines = parsed.signatures;
    } catch (error) {
      if (error instanceof NoteError) throw new CosignatureRefused(`not a signed note: ${error.message}`);
      throw error;
    }
    const checkpoint = (() => {
      try {
        return parseCheckpoint(text);
      } catch {
        throw new CosignatureRefused('not a checkpoint');
      }
    })();
    if (checkpoint.origin !== log.origin) throw new CosignatureRefused(`a checkpoint of another log (${checkpoint.origin})`);
    if (checkpoint.size > log.size) throw new CosignatureRefused(`the log does not reach ${checkpoint.size} entries`);
    if (!(await log.rootAt(checkpoint.size)).equals(checkpoint.root)) throw new CosignatureRefused('not the root of this log at that size');
    const accepted = this.#witnesses.filter((w) => cosignedAt(note, w.key) !== null);
    if (accepted.length === 0) throw new CosignatureRefused('no valid cosignature by a witness this log names');
    const rows = accepted.map((w) => ({
      campaign_id: log.campaignId,
      witness: w.id,
      tree_size: checkpoint.size,
      root: checkpoint.root.toString('base64'),
      line: lines.find((l) => l.name === w.name && l.keyId === w.keyId)!.line,
    }));
    await this.db.insertInto('queue_log_cosignatures').values(rows).onConflict((oc) => oc.doNothing()).execute();
    this.#read.delete(log.campaignId);
    return accepted.map((w) => w.name);
  }

  /** The largest checkpoint of the campaign cosigned by a witness, with every cosignature of it (read at most once a second). */
  witnessed(campaignId: string): Promise<Witnessed | null> {
    const nowMs = this.clock.now().getTime();
    const cached = this.#read.get(campaignId);
    if (cached && nowMs - cached.atMs < READ_INTERVAL_MS) return cached.witnessed;
    const witnessed = this.readWitnessed(campaignId);
    this.#read.set(campaignId, { atMs: nowMs, witnessed });
    witnessed.catch(() => this.#read.delete(campaignId));
    return witnessed;
  }

  private async readWitnessed(campaignId: string): Promise<Witnessed | null> {
    const ids = this.#witnesses.map((w) => w.id);
    if (ids.length === 0) return null;
    const top = await this.db.selectFrom('queue_log_cosignatures').select((eb) => eb.fn.max('tree_size').as('size')).where('campaign_id', '=', campaignId).where('witness', 'in', ids).executeTakeFirst();
    if (top?.size === null || top?.size === undefined) return null;
    const size = Number(top.size);
    const rows = await this.db.selectFrom('queue_log_cosignatures').select('line').where('campaign_id', '=', campaignId).where('tree_size', '=', size).where('witness', 'in', ids).orderBy('witness').execute();
    return { size, lines: rows.map((r) => r.line) };
  }
}
