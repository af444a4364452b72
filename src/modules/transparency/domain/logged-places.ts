/** A table of small integers by position that doubles as it fills (0 when never set). */
class PositionTable {
  #slots = new Int32Array(1024);

  get(position: number): number {
    return position >= 0 && position < this.#slots.length ? this.#slots[position]! : 0;
  }

  set(position: number, value: number): void {
    if (position >= this.#slots.length) {
      let length = this.#slots.length * 2;
      while (position >= length) length *= 2;
      const grown = new Int32Array(length);
      grown.set(this.#slots);
      this.#slots = grown;
    }
    this.#slots[position] = value;
  }
}

/** A drawn round's positions: base + 1 … base + count. */
interface DrawnRange {
  base: number;
  count: number;
}

/**
 * What a campaign's log says about the queue's positions, read from its entries as they enter the
 * tree (docs/transparency.md "Entries"): which leaf first logged each position (a `place` or a
 * `restore`), which positions it shows admitted or abandoned, how far it shows the queue served, and which
 * positions a draw gave out. A node finds a holder's entry by their position with it, without a
 * stored index of commitments: four bytes a position, against a row and an index entry per place.
 * A pre-queue holder's position comes from a draw, not an entry of its own: their `enter` entry
 * is found by its commitment (`queue_log_subjects`).
 */
export class LoggedPlaces {
  /** Leaf index + 1 of the first `place` or `restore` entry of each position. */
  readonly #leafOf = new PositionTable();
  /** 1 for each position an `admit` entry names, 2 for each a `skip … abandoned` entry names. */
  readonly #marks = new PositionTable();
  readonly #drawn: DrawnRange[] = [];
  #servingUpTo = 0;
  #lastPlaced = 0;

  /** Reads one entry line (newline included), the log's leaf `leafIndex`. */
  observe(line: string, leafIndex: number): void {
    const kindEnd = line.indexOf(' ');
    const kind = line.slice(0, kindEnd);
    if (kind !== 'place' && kind !== 'restore' && kind !== 'admit' && kind !== 'serve' && kind !== 'draw' && kind !== 'skip') return;
    // The first field is all a place, an admission or an advance needs: read without splitting the line.
    const firstEnd = line.indexOf(' ', kindEnd + 1);
    const first = Number(line.slice(kindEnd + 1, firstEnd === -1 ? -1 : firstEnd));
    const fields = kind === 'skip' || kind === 'draw' ? line.slice(0, -1).split(' ') : [];
    switch (kind) {
      case 'place':
      case 'restore':
        if (this.#leafOf.get(first) === 0) this.#leafOf.set(first, leafIndex + 1);
        this.#lastPlaced = Math.max(this.#lastPlaced, first);
        break;
      case 'admit':
        this.#marks.set(first, 1);
        break;
      case 'skip':
        // skip <position> <time> <reason>: an abandoned place is never admitted (the auditor's rule).
        if (fields[3] === 'abandoned') this.#marks.set(first, 2);
        break;
      case 'serve':
        this.#servingUpTo = Math.max(this.#servingUpTo, first);
        break;
      case 'draw':
        // draw <round> <time> <base> <count> …
        this.#drawn.push({ base: Number(fields[3]), count: Number(fields[4]) });
        break;
    }
  }

  /** The leaf index of the first `place` or `restore` entry of `position`, or null when the log has none. */
  leafOf(position: number): number | null {
    const stored = this.#leafOf.get(position);
    return stored === 0 ? null : stored - 1;
  }

  /** Whether a logged draw gave out `position` (its holder's entry is then their round's `enter`). */
  drawn(position: number): boolean {
    return this.#drawn.some((r) => position > r.base && position <= r.base + r.count);
  }

  /** How many rounds the log shows drawn: rounds open in order, so rounds 0 … drawnRounds − 1. */
  get drawnRounds(): number {
    return this.#drawn.length;
  }

  /** Whether the log shows `position` admitted. */
  admitted(position: number): boolean {
    return this.#marks.get(position) === 1;
  }

  /** Whether the log shows `position` given up by its holder (`skip … abandoned`). */
  abandoned(position: number): boolean {
    return this.#marks.get(position) === 2;
  }

  /** How far the log shows the queue served (0 before its first `serve`). */
  get servingUpTo(): number {
    return this.#servingUpTo;
  }

  /** The highest position of a `place` or `restore` entry (0 when none). */
  get lastPlaced(): number {
    return this.#lastPlaced;
  }
}
