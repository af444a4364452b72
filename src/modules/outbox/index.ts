/** The outbox module's public surface: what the rest of the server may use (the other files are private). */
export { measureOutboxBacklog } from './outbox-backlog-gauges.ts';
export type { OutboxJob } from './outbox-job.ts';
export { enqueueDerivedJobs, recordOutboxEvent } from './outbox-producers.ts';
export { OutboxPruner } from './outbox-pruner.ts';
export { OutboxWorker, PermanentDeliveryError, type OutboxConsumer, type OutboxWorkerOptions } from './outbox-worker.ts';
export { outboxRoutes } from './outbox.routes.ts';
