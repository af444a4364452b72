/**
 * What each SQL statement cost PostgreSQL during a timed window, from pg_stat_statements — when
 * the server preloads it (`shared_preload_libraries = 'pg_stat_statements'`; planning time needs
 * `pg_stat_statements.track_planning = on`): calls, execution and planning time, rows, buffers and
 * WAL, per statement, and the transactions the database committed. Divided by the bookings of the
 * window this gives statements (round trips: each one is a request and its answer) per booking and
 * what each costs. The figures are PostgreSQL's own counters, so they hold on a busy machine too.
 */
import pg from 'pg';
import { markdownTable } from './report.ts';

interface StatementCost {
  query: string;
  /** Sent by a client (a round trip), not run inside a function or trigger (`pg_stat_statements.track = all`). */
  toplevel: boolean;
  calls: number;
  execMs: number;
  planMs: number;
  rows: number;
  sharedHit: number;
  sharedRead: number;
  sharedDirtied: number;
  walBytes: number;
}

export interface StatementStats {
  statements: StatementCost[];
  /** Transactions committed and rolled back in the database over the window (pg_stat_database). */
  commits: number;
  rollbacks: number;
}

const STATEMENTS_SQL = `
  SELECT query, toplevel, calls, total_exec_time AS exec_ms, total_plan_time AS plan_ms, rows,
         shared_blks_hit, shared_blks_read, shared_blks_dirtied, wal_bytes
  FROM pg_stat_statements
  WHERE dbid = (SELECT oid FROM pg_database WHERE datname = $1) AND calls > 0 AND query NOT LIKE '%pg_stat_%'`;

async function transactions(client: pg.Client, database: string): Promise<{ commits: number; rollbacks: number }> {
  // The counters of the backends that just finished are flushed within a second or so.
  const { rows } = await client.query<{ c: string; r: string }>('SELECT xact_commit AS c, xact_rollback AS r FROM pg_stat_database WHERE datname = $1', [database]);
  return { commits: Number(rows[0]?.c ?? 0), rollbacks: Number(rows[0]?.r ?? 0) };
}

/**
 * Resets pg_stat_statements and starts counting, over a connection of its own to `database` (its
 * own statements, which read pg_stat_*, are left out); `{unavailable}` with the reason when the
 * server does not load the extension.
 */
export async function startStatementStats(databaseUrl: string, database: string): Promise<{ stop(): Promise<StatementStats> } | { unavailable: string }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  let before: { commits: number; rollbacks: number };
  try {
    await client.connect();
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await client.query('SELECT pg_stat_statements_reset()');
    await client.query('SELECT pg_stat_clear_snapshot()');
    before = await transactions(client, database);
  } catch (error) {
    await client.end().catch(() => {});
    return { unavailable: `pg_stat_statements is not available on this server (${error instanceof Error ? error.message : String(error)})` };
  }
  return {
    stop: async () => {
      try {
        const { rows } = await client.query<Record<string, string>>(STATEMENTS_SQL, [database]);
        await new Promise((r) => setTimeout(r, 1500));
        await client.query('SELECT pg_stat_clear_snapshot()');
        const after = await transactions(client, database);
        return {
          statements: rows.map((r) => ({
            query: String(r.query),
            toplevel: String(r.toplevel) !== 'false',
            calls: Number(r.calls),
            execMs: Number(r.exec_ms),
            planMs: Number(r.plan_ms),
            rows: Number(r.rows),
            sharedHit: Number(r.shared_blks_hit),
            sharedRead: Number(r.shared_blks_read),
            sharedDirtied: Number(r.shared_blks_dirtied),
            walBytes: Number(r.wal_bytes),
          })),
          // Includes this client's own few statements: nothing against thousands of bookings.
          commits: after.commits - before.commits,
          rollbacks: after.rollbacks - before.rollbacks,
        };
      } finally {
        await client.end();
      }
    },
  };
}

/** One statement's text on one line, shortened for a table cell. */
function oneLine(query: string, max = 110): string {
  const flat = query.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * The report's section: statements and transactions per booking, then the costliest statements
 * (execution + planning time) with their calls, time, rows, buffers and WAL per booking.
 */
export function renderStatementStats(stats: StatementStats, bookings: number, top = 12): string[] {
  if (bookings <= 0) return ['No bookings in the window: nothing to divide by.'];
  const per = (x: number) => x / bookings;
  // Nested statements (track = all) are inside a top-level one: counted once, through it.
  const toplevel = stats.statements.filter((s) => s.toplevel);
  const nested = stats.statements.length - toplevel.length;
  const calls = toplevel.reduce((n, s) => n + s.calls, 0);
  const execMs = toplevel.reduce((n, s) => n + s.execMs, 0);
  const planMs = toplevel.reduce((n, s) => n + s.planMs, 0);
  const wal = toplevel.reduce((n, s) => n + s.walBytes, 0);
  const ranked = [...stats.statements].sort((a, b) => b.execMs + b.planMs - (a.execMs + a.planMs)).slice(0, top);
  const rows = ranked.map((s) => [
    `${s.toplevel ? '' : 'in: '}\`${oneLine(s.query).replace(/\|/g, '\\|')}\``,
    per(s.calls).toFixed(2),
    (per(s.execMs) * 1000).toFixed(0),
    (per(s.planMs) * 1000).toFixed(0),
    (s.rows / Math.max(1, s.calls)).toFixed(1),
    `${(s.sharedHit / Math.max(1, s.calls)).toFixed(1)} / ${(s.sharedRead / Math.max(1, s.calls)).toFixed(1)} / ${(s.sharedDirtied / Math.max(1, s.calls)).toFixed(1)}`,
    per(s.walBytes).toFixed(0),
  ]);
  return [
    `Per booking: **${per(calls).toFixed(2)} statements** (each a round trip from the app; BEGIN and COMMIT included), ` +
      `${per(stats.commits).toFixed(2)} transactions committed (${per(stats.rollbacks).toFixed(2)} rolled back), ` +
      `${(per(execMs) * 1000).toFixed(0)} µs of execution and ${(per(planMs) * 1000).toFixed(0)} µs of planning, ${per(wal).toFixed(0)} bytes of WAL (statements' own; commit records aside). ` +
      'Times are wall time inside the server: on a busy machine they include waiting for a core.' +
      (nested > 0 ? ` Rows marked "in" ran inside a function or trigger (pg_stat_statements.track = all; ${nested} of them) and are part of the top-level ones.` : ''),
    '',
    markdownTable(['statement (pg_stat_statements)', 'calls / booking', 'exec µs / booking', 'plan µs / booking', 'rows / call', 'blocks hit / read / dirtied per call', 'WAL bytes / booking'], rows),
  ];
}
