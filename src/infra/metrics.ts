import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every Prometheus metric Yeyak exports, in one registry per app (tests build many apps).
 * Labels carry campaign ids, routes and reasons — never anything about a person.
 */
export function createMetrics() {
  const registry = new Registry();
  const hotPathCounts = new Set<() => void>();
  collectDefaultMetrics({ register: registry, prefix: 'yeyak_process_' });
  const campaign = ['campaign'] as const;
  const dbHistogram = (name: string, help: string) =>
    new Histogram({ name, help, labelNames: ['pool'] as const, buckets: [0.001, 0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry] });
  return {
    registry,
    queueJoined: new Gauge({ name: 'yeyak_queue_joined', help: 'People who took a place (pre-queue included)', labelNames: campaign, registers: [registry] }),
    queueWaiting: new Gauge({ name: 'yeyak_queue_waiting', help: 'Places issued but not yet served (issuedUpTo - servingUpTo), plus people in a pre-queue whose opening is still ahead', labelNames: campaign, registers: [registry] }),
    queueServingUpTo: new Gauge({ name: 'yeyak_queue_serving_up_to', help: 'Everyone at or before this place may be admitted', labelNames: campaign, registers: [registry] }),
    queueAdmitRate: new Gauge({ name: 'yeyak_queue_admit_rate_per_second', help: 'Measured, smoothed admission rate', labelNames: campaign, registers: [registry] }),
    queueTargetRate: new Gauge({ name: 'yeyak_queue_target_rate_per_second', help: 'The admission controller’s target rate', labelNames: campaign, registers: [registry] }),
    queueActiveLimit: new Gauge({ name: 'yeyak_queue_active_limit', help: 'The adaptive controller’s limit on admissions active at once (adaptive mode)', labelNames: campaign, registers: [registry] }),
    bookingPathP99: new Gauge({ name: 'yeyak_booking_path_window_p99_seconds', help: 'This node’s booking-path p99 latency over the controller’s health window', registers: [registry] }),
    clockSkew: new Gauge({ name: 'yeyak_clock_skew_seconds', help: 'PostgreSQL’s clock minus this node’s at the last comparison (past YEYAK_MAX_CLOCK_SKEW_MS the node refuses to serve)', registers: [registry] }),
    eventLoopDelayP99: new Gauge({ name: 'yeyak_event_loop_delay_window_p99_seconds', help: 'This process’s event-loop delay (p99) over the controller’s health window: the queue every call waits in', registers: [registry] }),
    queueActiveAdmissions: new Gauge({ name: 'yeyak_queue_active_admissions', help: 'Admissions valid now', labelNames: campaign, registers: [registry] }),
    queueSnapshotAge: new Gauge({ name: 'yeyak_queue_snapshot_age_seconds', help: 'Age of this node’s status snapshot', labelNames: campaign, registers: [registry] }),
    queuePlacedWaiting: new Gauge({ name: 'yeyak_queue_placed_waiting', help: 'Numbered places issued and not yet served (issuedUpTo - servingUpTo): people the queue owes a turn now', labelNames: campaign, registers: [registry] }),
    queueOpen: new Gauge({ name: 'yeyak_queue_open', help: '1 while the queue is open (not scheduled, in its pre-queue, paused or closed)', labelNames: campaign, registers: [registry] }),
    queuePaused: new Gauge({ name: 'yeyak_queue_paused', help: '1 while an operator has paused admission', labelNames: campaign, registers: [registry] }),
    campaignRemainingDoses: new Gauge({ name: 'yeyak_campaign_remaining_doses', help: 'Doses not booked yet from the first bookable date on, as this node last read them (every ~2 s); 0 with doses loaded holds the queue', labelNames: campaign, registers: [registry] }),
    queueSoldOut: new Gauge({ name: 'yeyak_queue_sold_out', help: '1 while this node holds the queue because every dose loaded is booked (its own remaining-doses figure)', labelNames: campaign, registers: [registry] }),
    remainingDosesReadFailures: new Counter({ name: 'yeyak_remaining_doses_read_failures_total', help: 'Reads of a campaign’s remaining doses that failed (the last known figure stood)', labelNames: campaign, registers: [registry] }),
    queueLogEntries: new Counter({ name: 'yeyak_queue_log_entries_total', help: 'Entries this node appended to the queue’s transparency log (as its sequencer)', labelNames: campaign, registers: [registry] }),
    queueLogSequencer: new Gauge({ name: 'yeyak_queue_log_sequencer', help: '1 while this node holds the campaign’s log sequencer lease (it writes the public queue log)', labelNames: campaign, registers: [registry] }),
    queueJournalFailures: new Counter({ name: 'yeyak_queue_journal_failures_total', help: 'Writes of a campaign’s queue journal (places, admissions, counters) the database refused; retried with the next write, the campaign’s joins answer 503 meanwhile', labelNames: campaign, registers: [registry] }),
    queueLogFailures: new Counter({ name: 'yeyak_queue_log_failures_total', help: 'Sequencer steps that failed to store a campaign’s recorded queue events in its log (retried next refresh)', labelNames: campaign, registers: [registry] }),
    queueLogHashingFallbacks: new Counter({ name: 'yeyak_queue_log_hashing_fallback_batches_total', help: 'Batches of the queue log\'s hashes made on the main thread because the hashing thread failed (src/modules/transparency/log-hashing.ts): the event loop pays about 7 µs an entry more; read at each scrape', registers: [registry] }),
    queueStoreUp: new Gauge({ name: 'yeyak_queue_store_up', help: '1 when the last refresh reached the queue store', registers: [registry] }),
    admissionsIssued: new Counter({ name: 'yeyak_admissions_issued_total', help: 'Admissions issued by this node', labelNames: campaign, registers: [registry] }),
    admissionsRefused: new Counter({ name: 'yeyak_admissions_refused_total', help: 'Admission requests refused, by reason', labelNames: ['campaign', 'reason'] as const, registers: [registry] }),
    joinFastPath: new Counter({ name: 'yeyak_join_fast_path_total', help: 'Places answered before routing (src/modules/waiting-room/join-fast-path.ts); the rest went to the route', registers: [registry] }),
    joinsRemembered: new Counter({ name: 'yeyak_joins_remembered_total', help: 'Repeat joins answered from the node\'s memory of places it handed back, with no store call (src/modules/waiting-room/known-places.ts)', registers: [registry] }),
    // Every request of the waiting room's hot routes, fast path or Fastify route alike: their log lines are only sampled (src/http/hot-path-log.ts).
    hotPathRequests: new Counter({
      name: 'yeyak_hot_path_requests_total',
      help: 'Requests of the waiting room\'s hot routes (status poll, join, ticket status, admission) by route pattern and status code; their log lines are sampled',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
      // Counted in plain numbers per request (HotPathLog), added here when the counter is read.
      collect() {
        for (const report of hotPathCounts) report();
      },
    }),
    /** What adds the hot routes' requests counted since the last read to `hotPathRequests` (HotPathLog registers itself). */
    hotPathCounts,
    shedRequests: new Counter({ name: 'yeyak_shed_requests_total', help: 'Requests answered 503 at the front door, by cause', labelNames: ['cause'] as const, registers: [registry] }),
    bookingPath: new Histogram({
      name: 'yeyak_booking_path_seconds',
      help: 'Latency of the booking path (search, slots, book, change) by route and status class',
      labelNames: ['route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    dbPoolWait: dbHistogram('yeyak_db_pool_wait_seconds', 'Time a call waited for a pooled PostgreSQL connection, by pool (main, booking)'),
    dbStatement: dbHistogram('yeyak_db_statement_seconds', 'A PostgreSQL statement from sending it to its answer taken up by the event loop (the loop’s queue included), by pool'),
    bookings: new Counter({ name: 'yeyak_bookings_total', help: 'Booking outcomes by result', labelNames: ['result'] as const, registers: [registry] }),
    outboxDeliveries: new Counter({ name: 'yeyak_outbox_deliveries_total', help: 'Outbox job attempts by consumer and outcome (delivered, retry, dead)', labelNames: ['consumer', 'outcome'] as const, registers: [registry] }),
    outboxPruned: new Counter({ name: 'yeyak_outbox_pruned_rows_total', help: 'Finished outbox rows deleted by the retention pruner, by table (outbox_jobs, outbox)', labelNames: ['table'] as const, registers: [registry] }),
    outboxPending: new Gauge({ name: 'yeyak_outbox_pending', help: 'Outbox work not done yet, by stage (fan-out: events not routed; registry, messages: jobs pending), read at each scrape', labelNames: ['stage'] as const, registers: [registry] }),
    outboxOldestPending: new Gauge({ name: 'yeyak_outbox_oldest_pending_seconds', help: 'Age of the oldest outbox work not done yet, by stage (0 when none), read at each scrape', labelNames: ['stage'] as const, registers: [registry] }),
    ready: new Gauge({ name: 'yeyak_ready', help: '1 while this node answers GET /api/v1/ready with 200 (evaluated at each scrape)', registers: [registry] }),
    registryCircuitOpen: new Gauge({ name: 'yeyak_registry_circuit_open', help: '1 while the registry client refuses calls after repeated failures', registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
