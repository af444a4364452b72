/**
 * What Yeyak's PostgreSQL runs with beyond the server's defaults, in one place: the lab's Patroni
 * cluster (`deploy/cluster/store-configs.ts`) and the benches' throwaway cluster
 * (`bench/lib/postgres.ts`) both start from it, so a bench measures the server as deployed.
 *
 * - `wal_compression = zstd`: the first change to a page after each checkpoint logs the whole page
 *   (a full-page image). A booking's takes of capacity land on random pages of `capacity_slots`,
 *   so after a checkpoint nearly every take logs one, and those images were the larger half of a
 *   booking's write-ahead log (docs/performance.md, "The write-ahead log per booking"). Compressed,
 *   they cost a little of the backend's CPU at the first change of a page only; every standby
 *   receives, and every archive keeps, the smaller log.
 */
export const POSTGRES_SETTINGS: Readonly<Record<string, string>> = {
  wal_compression: 'zstd',
};

/** The settings as `postgres -c name=value` arguments. */
export function postgresSettingArgs(): string {
  return Object.entries(POSTGRES_SETTINGS)
    .map(([name, value]) => `-c ${name}=${value}`)
    .join(' ');
}
