import { join } from 'node:path';
import { POSTGRES_SETTINGS } from '../postgresql-settings.ts';
import { PATRONI_SCOPE, PORTS, POSTGRES_PASSWORD, REDIS_MASTER_NAME } from './layout.ts';

/**
 * The configuration of the stores and of Prometheus in the local topology, each what a production
 * host would be given, with loopback addresses and short timings so a failover is seen in seconds.
 */

/** redis-server arguments: AOF with appendfsync always (the queue store's documented setting). */
export function redisArgs(dir: string, port: number, replicaOf: number | null): string[] {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''];
  if (replicaOf !== null) args.push('--replicaof', '127.0.0.1', String(replicaOf));
  return args;
}

/**
 * A Sentinel's file (Sentinel rewrites it with what it learns, so each has its own). Quorum 2 of 3;
 * the primary is judged down after 2 s without an answer; a failover may restart after 10 s.
 */
export function sentinelConf(dir: string, port: number): string {
  return [
    `port ${port}`,
    'bind 127.0.0.1',
    `dir ${dir}`,
    `sentinel monitor ${REDIS_MASTER_NAME} 127.0.0.1 ${PORTS.redis[0]} 2`,
    `sentinel down-after-milliseconds ${REDIS_MASTER_NAME} 2000`,
    `sentinel failover-timeout ${REDIS_MASTER_NAME} 10000`,
    `sentinel parallel-syncs ${REDIS_MASTER_NAME} 1`,
    '',
  ].join('\n');
}

/** etcd as a single member: Patroni's store for the leader key (three members in production). */
export function etcdArgs(dir: string): string[] {
  const client = `http://127.0.0.1:${PORTS.etcdClient}`;
  const peer = `http://127.0.0.1:${PORTS.etcdPeer}`;
  return [
    '--name', 'etcd1',
    '--data-dir', join(dir, 'etcd'),
    '--listen-client-urls', client,
    '--advertise-client-urls', client,
    '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `etcd1=${peer}`,
    '--initial-cluster-state', 'new',
    // Patroni talks to it through the v2 API (see patroniConf).
    '--enable-v2=true',
  ];
}

/**
 * One Patroni member's YAML (JSON is YAML). ttl 10 s: a primary that dies loses the leader key
 * within 10 s and the standby is promoted; loop_wait + 2 × retry_timeout fits inside it, as
 * Patroni requires. A standby that lags more than 1 MiB is never promoted. Replication is
 * synchronous (Patroni's `synchronous_mode`): a commit is acknowledged once the standby has it, so
 * a booking answered 201 survives the primary's death — with asynchronous replication the
 * topology suite found one acknowledged in the moment of the kill missing on the promoted standby.
 * Not strict: while the standby is away the primary commits alone (availability first; the
 * redundancy is back once the standby catches up), so a second failure in that window can lose.
 */
export function patroniConf(dir: string, member: number, binDir: string): string {
  const name = `pg${member + 1}`;
  const home = join(dir, name);
  const conf = {
    scope: PATRONI_SCOPE,
    name,
    restapi: { listen: `127.0.0.1:${PORTS.patroniApi[member]}`, connect_address: `127.0.0.1:${PORTS.patroniApi[member]}` },
    // The v2 API, not etcd3: Patroni 3.0.2's etcd3 client renews a leader whose lease expired (a
    // primary stalled longer than ttl) by writing the key unconditionally, over the standby that
    // took it meanwhile. The standby is promoted onto a new timeline, demoted at once, and can no
    // longer follow, while the primary still waits for it as its synchronous standby: every
    // commit hangs (the chaos suite's postgres-pause found it). Over v2 the renewal is a
    // compare-and-swap on the leader's name, and the stalled primary steps down instead.
    etcd: { hosts: [`127.0.0.1:${PORTS.etcdClient}`] },
    bootstrap: {
      dcs: {
        ttl: 10,
        loop_wait: 2,
        retry_timeout: 4,
        maximum_lag_on_failover: 1_048_576,
        synchronous_mode: true,
        postgresql: {
          use_pg_rewind: true,
          parameters: { max_connections: 400, wal_level: 'replica', hot_standby: 'on', max_wal_senders: 10, max_replication_slots: 10, wal_log_hints: 'on', ...POSTGRES_SETTINGS },
        },
      },
      initdb: [{ encoding: 'UTF8' }, { locale: 'C.UTF-8' }, 'data-checksums'],
      pg_hba: ['local all all trust', 'host replication replicator 127.0.0.1/32 scram-sha-256', 'host all all 127.0.0.1/32 scram-sha-256'],
    },
    postgresql: {
      listen: `127.0.0.1:${PORTS.postgres[member]}`,
      connect_address: `127.0.0.1:${PORTS.postgres[member]}`,
      data_dir: join(home, 'data'),
      bin_dir: binDir,
      pgpass: join(home, 'pgpass'),
      authentication: {
        superuser: { username: 'postgres', password: POSTGRES_PASSWORD },
        replication: { username: 'replicator', password: POSTGRES_PASSWORD },
        rewind: { username: 'postgres', password: POSTGRES_PASSWORD },
      },
      parameters: { unix_socket_directories: home },
    },
  };
  return JSON.stringify(conf, null, 2);
}

/** Prometheus scraping every node (by its own port, not through the balancer) and the synthetic probe, with the project's alert rules. */
export function prometheusConf(alertsFile: string): string {
  return JSON.stringify(
    {
      global: { scrape_interval: '5s', evaluation_interval: '5s' },
      rule_files: [alertsFile],
      scrape_configs: [
        { job_name: 'yeyak', metrics_path: '/metrics', static_configs: [{ targets: PORTS.nodes.map((p) => `127.0.0.1:${p}`) }] },
        { job_name: 'yeyak-probe', metrics_path: '/metrics', static_configs: [{ targets: [`127.0.0.1:${PORTS.probe}`] }] },
      ],
    },
    null,
    2,
  );
}
