import { LRUCache } from 'lru-cache';
import { SecondSight } from './second-sight.ts';

/**
 * How much of a token names it in the memory: the length of an HMAC-SHA256 signature in base64url,
 * the part of a signed token that differs between any two of them.
 */
const TAIL = 43;

/**
 * A bounded memory (least recently used out first) of what was worked out for an exact token
 * string: a verified session, a cookie made for a ticket.
 *
 * It is looked up by the token's last 43 characters and answers only when the whole token it
 * remembered equals the one asked about. V8 hashes a string key in full the first time it is used,
 * and every request's token is a fresh string of 500–800 characters: hashing it cost more (about
 * 1 µs) than the map itself, on every join of a new person, who gains nothing from the memory.
 *
 * For the same reason it keeps a token only from its second offer on (`SecondSight`): a new
 * person's session, used once on this node, is never stored.
 */
export class RecentByToken<V> {
  private readonly byTail: LRUCache<string, { token: string; value: V }>;
  private readonly sight: SecondSight;

  constructor(max: number, sight = new SecondSight()) {
    this.byTail = new LRUCache({ max });
    this.sight = sight;
  }

  get(token: string): V | undefined {
    const known = this.byTail.get(token.slice(-TAIL));
    return known !== undefined && known.token === token ? known.value : undefined;
  }

  /** Remembers `value` for `token` if the token was offered before (see `SecondSight`). */
  offer(token: string, value: V): void {
    if (this.sight.seenBefore(token)) this.byTail.set(token.slice(-TAIL), { token, value });
  }

  delete(token: string): void {
    const tail = token.slice(-TAIL);
    if (this.byTail.peek(tail)?.token === token) this.byTail.delete(tail);
  }
}
