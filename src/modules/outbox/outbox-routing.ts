import type { OutboxConsumer } from '../../infra/db/schema-outreach.ts';

/**
 * Which consumers receive each outbox topic. Jobs are created for a consumer whether or not a
 * worker for it runs on this node, so nothing is lost while, say, no registry is configured: the
 * jobs wait as pending.
 */
const TOPIC_CONSUMERS: Readonly<Record<string, readonly OutboxConsumer[]>> = Object.freeze({
  'booking.created': ['registry', 'messages'],
  'booking.changed': ['registry', 'messages'],
  'booking.cancelled': ['registry', 'messages'],
  'dose.administered': ['registry'],
  'stock.reported': ['registry'],
  'leftover.booked': ['registry', 'messages'],
  'leftover.published': ['messages'],
});

/** (consumer, topic) pairs, for the fan-out statement. */
export function routingPairs(): [OutboxConsumer, string][] {
  return Object.entries(TOPIC_CONSUMERS).flatMap(([topic, consumers]) => consumers.map((c): [OutboxConsumer, string] => [c, topic]));
}
