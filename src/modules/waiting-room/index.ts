/** The waiting-room module's public surface: what the rest of the server may use (the other files are private). */
export { admissionFor, requireBookingAccess } from './booking-access.ts';
export { ticketOf } from './credentials.ts';
export { joinFastPath } from './join-fast-path.ts';
export { queueControlRoutes } from './queue-control.routes.ts';
export type { QueueEvent, QueueLogging } from './queue-events.ts';
export type { QueueRecovery } from './queue-journal.ts';
export { journalToDatabase, openQueueStore } from './queue-store-setup.ts';
export type { QueueStore } from './queue-store.ts';
export { RemainingDosesCache } from './remaining-doses-cache.ts';
export { statusFastPath } from './status-fast-path.ts';
export { waitingRoomRoutes } from './waiting-room.routes.ts';
export { WaitingRoom } from './waiting-room.ts';
