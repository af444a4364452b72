/** The transparency module's public surface: what the rest of the server may use (the other files are private). */
export { Cosignatures } from './cosignatures.ts';
export { logHashing } from './log-hashing.ts';
export { PlaceLeafIndexes } from './place-leaf-index.ts';
export { queueLogRoutes } from './queue-log.routes.ts';
export { QueueLogs } from './queue-log.ts';
export { QueueOpenings } from './queue-openings.ts';
export { QueueSequencer } from './queue-sequencer.ts';
export { receiptRoutes } from './receipt.routes.ts';
