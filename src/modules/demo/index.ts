/** The demo module's public surface: what the rest of the server may use (the other files are private). */
export type { DemoAccount } from './demo-accounts.ts';
export { describeSeedProgress, seedDemoIfEmpty } from './demo-seed.ts';
export { seedProbeIfMissing } from './probe-seed.ts';
