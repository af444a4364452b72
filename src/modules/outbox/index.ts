/** The outbox module's public surface: what the rest of the server may use (the other files are private). */
export { outboxBacklog } from './outbox-backlog.repository.ts';
export type { OutboxJob } from './outbox-job.ts';
export { enqueueJobs } from './outbox-jobs.repository.ts';
export { OutboxPruner } from './outbox-pruner.ts';
export { OutboxWorker, PermanentDeliveryError, type OutboxConsumer, type OutboxWorkerOptions } from './outbox-worker.ts';
export { outboxRoutes } from './outbox.routes.ts';
