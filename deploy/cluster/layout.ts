import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where each part of the local production topology listens (all on 127.0.0.1) and keeps its data.
 * Fixed ports, away from the defaults (3000, 5432, 6379, 8080…) so the topology runs beside a
 * developer's own servers and the CI's; deploy/README.md lists them.
 */
export const PORTS = {
  /** nginx: the entry, caching the status document (deploy/nginx/yeyak.conf). */
  nginx: 18080,
  /** HAProxy: the nodes, each actively checked on /api/v1/ready (deploy/haproxy/yeyak.cfg). */
  haproxyHttp: 18081,
  haproxyStats: 18404,
  /** HAProxy: PostgreSQL, whichever member Patroni's REST API says is the primary. */
  postgresPrimary: 15000,
  postgresReplicas: 15001,
  nodes: [13001, 13002, 13003],
  /** Redis at the start: the primary, then its replica (Sentinel may swap them). */
  redis: [16379, 16380],
  sentinels: [16390, 16391, 16392],
  etcdClient: 12379,
  etcdPeer: 12380,
  /** PostgreSQL of each Patroni member, and Patroni's REST API beside it. */
  postgres: [15432, 15433],
  patroniApi: [18008, 18009],
  prometheus: 19090,
  /** The synthetic probe's own /metrics (npm run probe). */
  probe: 19465,
  registry: 14500,
  messages: 14600,
} as const;

export const REDIS_MASTER_NAME = 'yeyak';
export const PATRONI_SCOPE = 'yeyak';
export const DATABASE_NAME = 'yeyak';
/** The lab's superuser password: every port listens on loopback only. */
export const POSTGRES_PASSWORD = 'yeyak-cluster';

/** The topology's directory: `YEYAK_CLUSTER_DIR`, else `yeyak-cluster` in the temporary directory. */
export function clusterDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.YEYAK_CLUSTER_DIR || join(tmpdir(), 'yeyak-cluster');
}

export const memberName = (i: number) => `pg${i + 1}`;
export const nodeName = (i: number) => `node${i + 1}`;

/** The newest PostgreSQL server binaries Debian installed (/usr/lib/postgresql/<major>/bin). */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const majors = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))).sort((a, b) => Number(a) - Number(b));
  const newest = majors.at(-1);
  return newest ? join(root, newest, 'bin') : null;
}

/** The URL the nodes reach PostgreSQL by: always HAProxy, which forwards to the Patroni primary. */
export const databaseUrl = (database = DATABASE_NAME) => `postgres://postgres:${POSTGRES_PASSWORD}@127.0.0.1:${PORTS.postgresPrimary}/${database}`;
