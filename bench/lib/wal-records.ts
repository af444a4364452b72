/**
 * What a span of write-ahead log is made of, by relation and record type, read through
 * `pg_walinspect` (contrib, PostgreSQL 15+): which table or index each record changed, how many
 * bytes it took and how many of them were full-page images. `bench:booking` divides it by the
 * bookings of the timed run, to account for every row, index entry and page image a booking writes.
 */
import { withClient, withDatabase } from './postgres.ts';

export interface WalRecordGroup {
  /**
   * The relation of the record's first block (`pg_class.relname` in the given database), a
   * relation of another database (`pgbench_bench: filenode 16398`, e.g. the baseline's autovacuum,
   * which shares the cluster's log), or `(no relation)` (commits, checkpoints).
   */
  relation: string;
  /** Whether the record belongs to the given database (or to none, as a commit). */
  ours: boolean;
  /** `resource_manager/record_type`, e.g. `Btree/INSERT_LEAF`. */
  kind: string;
  records: number;
  /** Record length, full-page images included. */
  bytes: number;
  fpiBytes: number;
  /** Records that carried at least one full-page image. */
  withFpi: number;
}

/** `pg_lsn` text of a byte offset. */
function lsnText(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/**
 * The WAL between two offsets grouped by database, relation and record type, largest first; or
 * why it cannot be read (no `pg_walinspect`, not a superuser, the segments recycled).
 */
export async function walRecordsBetween(adminUrl: string, database: string, start: bigint, end: bigint): Promise<WalRecordGroup[] | { unavailable: string }> {
  try {
    const names = await withClient(withDatabase(adminUrl, database), async (c) => {
      const { rows } = await c.query<{ node: string; name: string }>(`SELECT pg_relation_filenode(oid)::text AS node, relname AS name FROM pg_class WHERE pg_relation_filenode(oid) IS NOT NULL`);
      return new Map(rows.map((r) => [r.node, r.name]));
    });
    const { databases, rows } = await withClient(adminUrl, async (c) => {
      await c.query('CREATE EXTENSION IF NOT EXISTS pg_walinspect');
      const databases = new Map((await c.query<{ oid: string; name: string }>('SELECT oid::text, datname AS name FROM pg_database')).rows.map((r) => [r.oid, r.name]));
      const result = await c.query<{ db: string | null; node: string | null; kind: string; records: number; bytes: string; fpi_bytes: string; with_fpi: number }>(
        `SELECT ref[1] AS db, ref[2] AS node, kind, count(*)::int AS records, sum(record_length)::text AS bytes,
                sum(fpi_length)::text AS fpi_bytes, count(*) FILTER (WHERE fpi_length > 0)::int AS with_fpi
           FROM (SELECT regexp_match(block_ref, 'rel \\d+/(\\d+)/(\\d+)') AS ref, resource_manager || '/' || record_type AS kind,
                        record_length, fpi_length
                   FROM pg_get_wal_records_info($1::pg_lsn, $2::pg_lsn)) AS r
          GROUP BY 1, 2, 3`,
        [lsnText(start), lsnText(end)],
      );
      return { databases, rows: result.rows };
    });
    return rows
      .map((r) => {
        const dbName = r.db === null ? null : (databases.get(r.db) ?? `database ${r.db}`);
        const ours = dbName === null || dbName === database;
        const relation = r.node === null ? '(no relation)' : ours ? (names.get(r.node) ?? `filenode ${r.node}`) : `${dbName}: filenode ${r.node}`;
        return { relation, ours, kind: r.kind, records: r.records, bytes: Number(r.bytes), fpiBytes: Number(r.fpi_bytes), withFpi: r.with_fpi };
      })
      .sort((a, b) => b.bytes - a.bytes);
  } catch (error) {
    return { unavailable: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * A markdown table of this database's groups per unit of work (a booking), the small ones summed
 * into one row, and a line for what other databases of the cluster wrote meanwhile.
 */
export function renderWalRecords(groups: WalRecordGroup[] | { unavailable: string }, units: number, unit: string): string[] {
  if ('unavailable' in groups) return [`The WAL could not be read by record: ${groups.unavailable}`];
  if (units <= 0) return [];
  const ours = groups.filter((g) => g.ours);
  const others = groups.filter((g) => !g.ours);
  const per = (n: number, digits: number) => (n / units).toFixed(digits);
  const shown = ours.filter((g) => g.records / units >= 0.05);
  const rest = ours.filter((g) => g.records / units < 0.05);
  const sum = (list: WalRecordGroup[], key: 'records' | 'bytes' | 'fpiBytes' | 'withFpi') => list.reduce((total, g) => total + g[key], 0);
  const row = (relation: string, kind: string, list: WalRecordGroup[]) =>
    `| ${relation} | ${kind} | ${per(sum(list, 'records'), 2)} | ${per(sum(list, 'bytes'), 0)} | ${per(sum(list, 'fpiBytes'), 0)} | ${per(sum(list, 'withFpi'), 3)} |`;
  return [
    `| relation (first block) | record | records per ${unit} | bytes per ${unit} | of which full-page images | records with an image per ${unit} |`,
    '|---|---|---|---|---|---|',
    ...shown.map((g) => row(g.relation, g.kind, [g])),
    ...(rest.length > 0 ? [row(`${rest.length} other groups`, 'under 0.05 records each', rest)] : []),
    row(`**this database**`, '', ours),
    '',
    `Other databases of the cluster wrote ${per(sum(others, 'bytes'), 0)} bytes per ${unit} meanwhile (${per(sum(others, 'records'), 2)} records, ` +
      `${per(sum(others, 'fpiBytes'), 0)} bytes of page images), not counted above: ` +
      (others.slice(0, 3).map((g) => `${g.relation} ${g.kind} ${per(g.bytes, 0)} B`).join(', ') || 'none') +
      '. The cluster-wide figure above (`pg_current_wal_lsn`) includes them.',
  ];
}
