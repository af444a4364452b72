import type { AbandonedPlaces } from './domain/admission-rate.ts';

/**
 * The positions whose holders left a campaign's queue, in the in-process store and in each node's
 * copy of them (`WaitingRoom`): a set to answer "was this place given up?", a sorted array to count
 * them in a range (the advance passes them without spending the rate), and the order they were
 * given up in (a node reads the ones it has not seen yet). A few bytes a leave.
 */
export class AbandonedPositions implements AbandonedPlaces {
  readonly #set = new Set<number>();
  readonly #sorted: number[] = [];
  readonly #inOrder: number[] = [];

  /** Adds a position; false when it was abandoned already. */
  add(position: number): boolean {
    if (this.#set.has(position)) return false;
    this.#set.add(position);
    this.#sorted.splice(firstAbove(this.#sorted, position), 0, position);
    this.#inOrder.push(position);
    return true;
  }

  has(position: number): boolean {
    return this.#set.has(position);
  }

  countBetween(after: number, upTo: number): number {
    return upTo <= after ? 0 : firstAbove(this.#sorted, upTo) - firstAbove(this.#sorted, after);
  }

  /** The positions abandoned from the `index`-th on (0-based), in the order they were. */
  since(index: number): number[] {
    return this.#inOrder.slice(index);
  }

  get size(): number {
    return this.#set.size;
  }
}

/** The index of the first element greater than `value` in an ascending array. */
function firstAbove(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
