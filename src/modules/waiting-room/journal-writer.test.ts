import { describe, expect, it } from 'vitest';
import { JournalWriteFailed, JournalWriter } from './journal-writer.ts';
import { MemoryQueueStore } from './memory-queue-store.ts';
import type { QueueJournal } from './queue-journal.ts';

/** A real in-process store and a database write that the test completes (or fails) by hand. */
function setUp() {
  const store = new MemoryQueueStore();
  const writes: { journal: QueueJournal; done: () => void; fail: (e: Error) => void }[] = [];
  let inFlight = 0;
  let overlapped = false;
  const writer = new JournalWriter(
    store,
    (journal) =>
      new Promise<void>((resolve, reject) => {
        inFlight += 1;
        if (inFlight > 1) overlapped = true;
        const end = () => (inFlight -= 1);
        writes.push({ journal, done: () => (end(), resolve()), fail: (e) => (end(), reject(e)) });
      }),
    () => new Date(0),
  );
  const join = (key: string) => store.join('c', key, 0, null);
  return { store, writer, writes, join, overlapped: () => overlapped };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('JournalWriter (group commit)', () => {
  it('writes at once, gathers everyone who asks meanwhile into the next write, and never overlaps two writes', async () => {
    const { writer, writes, join, overlapped } = setUp();
    await join('a');
    const first = writer.flush();
    await join('b');
    await join('c');
    const second = [writer.flush(), writer.flush()];
    await tick();
    expect(writes).toHaveLength(1);
    expect(writes[0]!.journal.places.map((p) => p.personKey)).toEqual(['a']);
    writes[0]!.done();
    await first;
    await tick();
    expect(writes).toHaveLength(2);
    expect(writes[1]!.journal.places.map((p) => p.personKey)).toEqual(['b', 'c']);
    writes[1]!.done();
    await Promise.all(second);
    expect(overlapped()).toBe(false);
  });

  it('rejects the waiters of a failed write and writes their places again with the next one', async () => {
    const { writer, writes, join } = setUp();
    await join('a');
    const failed = writer.flush();
    writes[0]!.fail(new Error('disk full'));
    await expect(failed).rejects.toThrow('disk full');
    // A place handed back after a failure is not answered until it has been written.
    const settled = writer.settled();
    await tick();
    expect(writes).toHaveLength(2);
    expect(writes[1]!.journal.places.map((p) => p.personKey)).toEqual(['a']);
    writes[1]!.done();
    await settled;
  });

  it('settles at once when nothing handed out waits to be written', async () => {
    const { writer, writes, join } = setUp();
    await join('a');
    const flushed = writer.flush();
    writes[0]!.done();
    await flushed;
    await writer.settled();
    expect(writes).toHaveLength(1);
  });

  it('writes each campaign on its own when a write fails: one campaign the database refuses holds up no other', async () => {
    const store = new MemoryQueueStore();
    const written: string[] = [];
    const failures: string[] = [];
    // The database refuses any write that holds campaign "bad" (as it refused a pause reason with U+0000).
    const writer = new JournalWriter(
      store,
      async (journal) => {
        if (journal.places.some((p) => p.campaignId === 'bad')) throw new Error('invalid byte sequence for encoding "UTF8": 0x00');
        written.push(...journal.places.map((p) => `${p.campaignId}/${p.personKey}`));
      },
      () => new Date(0),
      (campaignId) => failures.push(campaignId),
    );
    await store.join('good', 'a', 0, null);
    await store.join('bad', 'b', 0, null);
    await store.join('other', 'c', 0, null);
    const error = await writer.flush().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JournalWriteFailed);
    expect((error as JournalWriteFailed).campaignIds).toEqual(['bad']);
    expect(written.sort()).toEqual(['good/a', 'other/c']);
    expect(failures).toEqual(['bad']);
    // The good campaigns' joins are answered; the bad one's waits (503), its place kept for the next write.
    await store.join('good', 'd', 0, null);
    await expect(writer.settled('good')).resolves.toBeUndefined();
    expect(written).toContain('good/d');
    await expect(writer.settled('bad')).rejects.toBeInstanceOf(JournalWriteFailed);
    expect(failures).toEqual(['bad', 'bad', 'bad']);
    expect(store.journalPending()).toBe(true);
  });
});
