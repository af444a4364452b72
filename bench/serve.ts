/**
 * The real Yeyak app as its own process for the booking bench: the same launcher as the queue
 * bench (bench/lib/queue-app.ts — createContext, buildApp, the waiting room's refresher, tied to
 * its parent over IPC, event-loop figures and profiles on request).
 */
import './lib/queue-app.ts';
