import { describe, expect, it } from 'vitest';
import { RecentByToken } from './recent-by-token.ts';

const SIGNATURE = 'S'.repeat(43);

/** Offers a token twice: a memory keeps it from its second offer on. */
function remember<V>(memory: RecentByToken<V>, token: string, value: V): void {
  memory.offer(token, value);
  memory.offer(token, value);
}

describe('RecentByToken', () => {
  it('answers only for the whole token it remembered, not for another with the same signature', () => {
    const memory = new RecentByToken<number>(8);
    remember(memory, `header.payloadA.${SIGNATURE}`, 1);
    expect(memory.get(`header.payloadA.${SIGNATURE}`)).toBe(1);
    expect(memory.get(`header.payloadB.${SIGNATURE}`)).toBeUndefined();
    memory.delete(`header.payloadB.${SIGNATURE}`); // not the token remembered: it stays
    expect(memory.get(`header.payloadA.${SIGNATURE}`)).toBe(1);
    memory.delete(`header.payloadA.${SIGNATURE}`);
    expect(memory.get(`header.payloadA.${SIGNATURE}`)).toBeUndefined();
  });

  it('keeps a token only from its second offer on', () => {
    const memory = new RecentByToken<number>(8);
    const token = `h.p.${'A'.repeat(43)}`;
    memory.offer(token, 1);
    expect(memory.get(token)).toBeUndefined();
    memory.offer(token, 2);
    expect(memory.get(token)).toBe(2);
  });

  it('keeps at most its size, the least recently used going first', () => {
    const memory = new RecentByToken<number>(2);
    const token = (i: number) => `h.p.${String(i).padStart(43, '0')}`;
    remember(memory, token(1), 1);
    remember(memory, token(2), 2);
    expect(memory.get(token(1))).toBe(1);
    remember(memory, token(3), 3);
    expect(memory.get(token(2))).toBeUndefined();
    expect([memory.get(token(1)), memory.get(token(3))]).toEqual([1, 3]);
  });
});
