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
  /**
   * The whole cluster's booking path (every node that published its figures in the last 5 s):
   * bookings committed in this campaign and server errors per second, p99 latency over the last 10 s
   * (the upper bound of its latency bucket, buckets 25% apart).
   */
  bookingsPerSecond: number;
  errorsPerSecond: number;
  p99LatencyMs: number;
  /** How many nodes those figures come from. */
  nodes: number;
  /**
   * The synthetic probe as the service saw it: when it last booked in its own campaign (any node;
   * it books every 10 s while it works), or null if never since the nodes started.
   */
  probe: { lastBookingAt: string | null; secondsAgo: number | null };
  remainingDoses: number;
  remainingBySido: { sido: string; remaining: number; capacity: number }[];
  /** Server time the remaining doses were read (every second, or less often when that read is slow). */
  remainingAsOf: string;
}
