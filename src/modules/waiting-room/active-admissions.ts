export interface ActiveAdmission {
  id: string;
  expiresAtMs: number;
}

/**
 * One campaign's admissions in the in-process store, counted in O(expired) rather than
 * O(active): a min-heap of expiries beside the map. An extension or a release leaves a stale heap
 * entry behind, recognised when it surfaces (its expiry no longer matches the admission's).
 */
export class ActiveAdmissions {
  private readonly byPerson = new Map<string, ActiveAdmission>();
  private readonly heap: { expiresAtMs: number; personKey: string }[] = [];

  get(personKey: string): ActiveAdmission | undefined {
    return this.byPerson.get(personKey);
  }

  /** Records an admission, or its new expiry after an extension. */
  set(personKey: string, admission: ActiveAdmission): void {
    this.byPerson.set(personKey, admission);
    this.push({ expiresAtMs: admission.expiresAtMs, personKey });
  }

  delete(personKey: string): void {
    this.byPerson.delete(personKey);
  }

  /**
   * Forgets the admissions expired at `nowMs`, telling `expired` of each (one that was released
   * or extended is not expired), and counts those still valid.
   */
  count(nowMs: number, expired?: (personKey: string, expiresAtMs: number) => void): number {
    while (this.heap.length > 0 && this.heap[0]!.expiresAtMs <= nowMs) {
      const { personKey, expiresAtMs } = this.pop();
      if (this.byPerson.get(personKey)?.expiresAtMs === expiresAtMs) {
        this.byPerson.delete(personKey);
        expired?.(personKey, expiresAtMs);
      }
    }
    return this.byPerson.size;
  }

  private push(entry: { expiresAtMs: number; personKey: string }): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.expiresAtMs <= entry.expiresAtMs) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): { expiresAtMs: number; personKey: string } {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && heap[right]!.expiresAtMs < heap[left]!.expiresAtMs ? right : left;
      if (heap[child]!.expiresAtMs >= last.expiresAtMs) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
