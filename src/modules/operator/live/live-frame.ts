/**
 * The live dashboard's wire format: the server sends it (`live-feed.ts`), the console reads it
 * (`src/web/console/dashboard.ts` imports this file's types; it holds nothing else, so the browser
 * bundle takes no server code with it).
 */
/** One second of one campaign, as the live dashboard charts it. */
export interface LiveFrame {
  campaignId: string;
  /** Server time of the frame (UTC ISO). */
  at: string;
  state: string;
  pausedReason: string | null;
  waiting: number;
  servingUpTo: number;
  issuedUpTo: number;
  admitRatePerSecond: number;
  targetRatePerSecond: number;
  activeAdmissions: number;
  maxActive: number;
  /** This node's booking path: bookings committed and server errors per second, p99 latency over the last 10 s. */
  bookingsPerSecond: number;
  errorsPerSecond: number;
  p99LatencyMs: number;
  remainingDoses: number;
  remainingBySido: { sido: string; remaining: number; capacity: number }[];
  /** Server time the remaining doses were read (every second, or less often when that read is slow). */
  remainingAsOf: string;
}
