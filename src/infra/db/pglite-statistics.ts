import type { PGlite } from '@electric-sql/pglite';

/**
 * Planner statistics for the embedded database. PostgreSQL's autovacuum analyzes a table once a
 * tenth of it has changed; PGlite runs no autovacuum, so its tables were never analyzed and the
 * planner guessed: with ~2,000 demo clinics it read a clinic's dates through `clinic_days_by_date`
 * (every clinic-day of the campaign, 48,000 index entries per clinic) instead of the primary key,
 * and a page of 100 clinics took 0.9–1.5 s where 10–20 ms do with statistics.
 *
 * PGlite keeps no change counters either (`pg_stat_user_tables` stays at zero), so growth stands
 * in for change: a table is analyzed when it has data and never was, or when its size has moved by
 * a fifth (and at least 4 pages) since. Runs in the database's worker thread, off the event loop.
 * Erasable TypeScript only: the worker loads it through Node's type stripping.
 */
const STALE_TABLES = `
  SELECT c.oid::regclass::text AS name
  FROM pg_class c, LATERAL (SELECT pg_relation_size(c.oid) / current_setting('block_size')::int AS pages) s
  WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND s.pages > 0
    AND (c.reltuples < 0 OR abs(s.pages - c.relpages) >= greatest(4, c.relpages / 5))
  ORDER BY 1`;

/** Statements, plus the rows they wrote, between two looks at the catalog (one cheap query). */
const LOOK_EVERY = 1_000;

const WRITES = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY']);

/** Keeps the embedded database's planner statistics roughly current, as autovacuum would. */
export class PgliteStatistics {
  readonly #pglite: PGlite;
  #work = 0;
  #running: Promise<void> | null = null;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  /** Counts a finished statement; past the threshold, looks for stale tables once the database is free. */
  noteStatement(command: string | undefined, affectedRows: number | undefined): void {
    this.#work += 1 + (command !== undefined && WRITES.has(command) ? (affectedRows ?? 0) : 0);
    if (this.#work >= LOOK_EVERY && this.#running === null) {
      this.#running = this.refresh()
        .then(
          () => {},
          // Not a statement's failure: plans merely stay as they were. Said on stderr; looked at again later.
          (error: unknown) => process.emitWarning(`embedded database: ANALYZE failed: ${String(error)}`),
        )
        .finally(() => {
          this.#running = null;
        });
    }
  }

  /** Analyzes every stale table; resolves with their names. */
  async refresh(): Promise<string[]> {
    // Counted from here: writes that land while the catalog is read wait for the next look.
    this.#work = 0;
    const { rows } = await this.#pglite.query<{ name: string }>(STALE_TABLES);
    const names = rows.map((r) => r.name);
    // Names as `regclass` prints them, quoted where needed.
    if (names.length > 0) await this.#pglite.exec(`ANALYZE ${names.join(', ')}`);
    return names;
  }

  /** Resolves once a refresh under way (if any) has finished. */
  async settled(): Promise<void> {
    await this.#running;
  }
}
