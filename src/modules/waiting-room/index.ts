/** The waiting-room module's public surface: what the rest of the server may use (the other files are private). */
export { admissionFor, requireBookingAccess } from './booking-access.ts';
export { ticketOf } from './credentials.ts';
export { joinFastPath } from './join-fast-path.ts';
export { JournalWriter } from './journal-writer.ts';
export { MemoryQueueStore } from './memory-queue-store.ts';
export { queueControlRoutes } from './queue-control.routes.ts';
export type { QueueEvent, QueueLogging } from './queue-events.ts';
export { persistJournal, queueRecoveryFrom, restoreJournal } from './queue-journal.repository.ts';
export { isJournalling, type QueueRecovery } from './queue-journal.ts';
export type { QueueStore } from './queue-store.ts';
export { RedisQueueStore } from './redis/redis-queue-store.ts';
export { RemainingDosesCache } from './remaining-doses-cache.ts';
export { statusFastPath } from './status-fast-path.ts';
export { waitingRoomRoutes } from './waiting-room.routes.ts';
export { WaitingRoom } from './waiting-room.ts';
