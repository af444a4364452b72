import type { OutboxConsumer } from '../../infra/db/schema-outreach.ts';

/** A claimed job, as a consumer sees it. */
export interface OutboxJob {
  id: number;
  consumer: OutboxConsumer;
  idempotencyKey: string;
  topic: string;
  aggregateId: string;
  payload: Record<string, unknown>;
  /** Attempts so far, this one included. */
  attempts: number;
  createdAt: Date;
}
