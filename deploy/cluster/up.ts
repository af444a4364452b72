import { randomBytes } from 'node:crypto';
import { generateSignerKey } from '../../src/lib/signed-note.ts';
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { haproxyConfAt, nginxConfAt, nginxMain } from './balancer-configs.ts';
import { DATABASE_NAME, PORTS, REDIS_MASTER_NAME, databaseUrl, memberName, nodeName, postgresBinDir } from './layout.ts';
import { alive, asRoot, readState, startPart, until, writeState, type ClusterState, type RunningPart } from './processes.ts';
import { redisSays, withPostgres } from './clients.ts';
import { haproxyServerStates } from './status.ts';
import { etcdArgs, patroniConf, prometheusConf, redisArgs, sentinelConf } from './store-configs.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const say = (line: string) => process.stdout.write(`${line}\n`);

/** The parts `up` starts, each after what it needs: the stores, then the nodes, then what fronts and watches them. */
export async function clusterUp(dir: string): Promise<ClusterState> {
  const previous = readState(dir);
  if (previous?.parts.some((p) => alive(p.pid))) throw new Error(`a topology is already running in ${dir}: npm run cluster -- down`);
  const binDir = postgresBinDir();
  if (!binDir) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)');
  for (const sub of ['logs', 'redis1', 'redis2', 'sentinel1', 'sentinel2', 'sentinel3', 'nginx', 'prometheus', 'etcd']) mkdirSync(join(dir, sub), { recursive: true });
  // nginx's workers (and PostgreSQL, as `postgres`) must reach their files when started by root.
  chmodSync(dir, 0o755);
  const state: ClusterState = { parts: [], nodeEnv: {} };
  const started = (part: RunningPart) => {
    state.parts.push(part);
    writeState(dir, state);
    return part;
  };

  say('etcd (Patroni\'s leader key)…');
  started(startPart(dir, 'etcd', 'etcd', etcdArgs(dir)));
  await until('etcd', async () => (await fetch(`http://127.0.0.1:${PORTS.etcdClient}/health`)).ok);

  for (const member of [0, 1]) {
    const name = memberName(member);
    say(`PostgreSQL ${name} under Patroni…`);
    const home = join(dir, name);
    mkdirSync(home, { recursive: true, mode: 0o700 });
    const file = join(dir, `patroni-${name}.yml`);
    writeFileSync(file, patroniConf(dir, member, binDir), { mode: 0o644 });
    if (asRoot()) {
      const { uid, gid } = postgresUser();
      chownSync(home, uid, gid);
    }
    started(startPart(dir, `patroni-${name}`, 'patroni', [file], { asPostgres: true }));
    // The first member bootstraps (initdb) and leads; the second clones it and streams from it.
    const role = member === 0 ? 'primary' : 'replica';
    await until(`${name} as ${role}`, async () => (await fetch(`http://127.0.0.1:${PORTS.patroniApi[member]}/${role}`)).status === 200, 120_000, 500);
  }

  say('HAProxy (the nodes checked on /api/v1/ready; PostgreSQL routed to the Patroni primary)…');
  const haproxyFile = join(dir, 'haproxy.cfg');
  writeFileSync(
    haproxyFile,
    haproxyConfAt({
      binds: { '8081': PORTS.haproxyHttp, '5000': PORTS.postgresPrimary, '5001': PORTS.postgresReplicas, '8404': PORTS.haproxyStats },
      addresses: {
        ...Object.fromEntries(PORTS.nodes.map((port, i) => [nodeName(i), `127.0.0.1:${port}`])),
        'pg-a': `127.0.0.1:${PORTS.postgres[0]}`,
        'pg-b': `127.0.0.1:${PORTS.postgres[1]}`,
      },
      checkPorts: { 'pg-a': PORTS.patroniApi[0], 'pg-b': PORTS.patroniApi[1] },
      checkInterval: '1s',
      behindProxy: true,
      nameTheNode: true,
    }),
  );
  started(startPart(dir, 'haproxy', 'haproxy', ['-db', '-f', haproxyFile]));
  // HAProxy counts a server up until its checks say otherwise: wait until they have, so that the
  // primary's port leads to the primary alone.
  await until('HAProxy routing PostgreSQL to the primary alone', async () => {
    const primary = (await haproxyServerStates()).postgres_primary ?? {};
    return primary['pg-a'] === 'UP' && primary['pg-b'] === 'DOWN';
  }, 60_000, 250);
  await withPostgres('postgres', async (client) => {
    const exists = await client.query('select 1 from pg_database where datname = $1', [DATABASE_NAME]);
    if (exists.rowCount === 0) await client.query(`create database ${DATABASE_NAME}`);
  });

  say('Redis: a primary, a replica and three Sentinels…');
  started(startPart(dir, 'redis1', 'redis-server', redisArgs(join(dir, 'redis1'), PORTS.redis[0], null)));
  started(startPart(dir, 'redis2', 'redis-server', redisArgs(join(dir, 'redis2'), PORTS.redis[1], PORTS.redis[0])));
  await until('the Redis replica in sync', () => redisSays(PORTS.redis[1], async (r) => (await r.info('replication')).includes('master_link_status:up')));
  PORTS.sentinels.forEach((port, i) => {
    const file = join(dir, `sentinel${i + 1}`, 'sentinel.conf');
    writeFileSync(file, sentinelConf(join(dir, `sentinel${i + 1}`), port));
    started(startPart(dir, `sentinel${i + 1}`, 'redis-sentinel', [file]));
  });
  // A failover needs a quorum that knows the replica and Sentinels that know each other.
  for (const port of PORTS.sentinels) {
    await until(`Sentinel ${port} knowing the others and the replica`, () =>
      redisSays(port, async (r) => {
        const [others, replicas] = (await Promise.all([r.call('SENTINEL', 'SENTINELS', REDIS_MASTER_NAME), r.call('SENTINEL', 'REPLICAS', REDIS_MASTER_NAME)])) as [unknown[], unknown[]];
        return others.length === 2 && replicas.length === 1;
      }),
    );
  }

  say('the immunization registry and message gateway stand-ins…');
  const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
  started(startPart(dir, 'registry', tsx, ['src/stand-ins/registry/main.ts', '--port', String(PORTS.registry), '--clinics', '2000'], { cwd: ROOT }));
  started(startPart(dir, 'messages', tsx, ['src/stand-ins/message-gateway/main.ts', '--port', String(PORTS.messages)], { cwd: ROOT }));
  await until('the registry stand-in', async () => (await fetch(`http://127.0.0.1:${PORTS.registry}/_admin/health`)).ok);
  await until('the message gateway stand-in', async () => (await fetch(`http://127.0.0.1:${PORTS.messages}/_admin/messages`)).status < 500);

  state.nodeEnv = nodeEnvironment();
  writeState(dir, state);
  writeFileSync(join(dir, 'node.env'), Object.entries(state.nodeEnv).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
  // The first node migrates the database and seeds the demo; the others start once it is ready.
  for (const group of [[0], [1, 2]]) {
    say(`Yeyak ${group.map(nodeName).join(' and ')}…`);
    for (const i of group) started(startNode(dir, state.nodeEnv, i));
    await Promise.all(group.map((i) => until(`${nodeName(i)} ready`, async () => (await fetch(`http://127.0.0.1:${PORTS.nodes[i]}/api/v1/ready`)).ok, 300_000, 500)));
  }

  await until('HAProxy passing all three nodes', async () => Object.values((await haproxyServerStates()).yeyak_nodes ?? {}).filter((status) => status === 'UP').length === PORTS.nodes.length, 30_000, 250);

  say('nginx at the edge (status document cached)…');
  const nginxDir = join(dir, 'nginx');
  writeFileSync(join(nginxDir, 'yeyak.conf'), nginxConfAt(nginxDir, { listen: PORTS.nginx, upstream: [`127.0.0.1:${PORTS.haproxyHttp}`] }));
  writeFileSync(join(nginxDir, 'nginx.conf'), nginxMain(nginxDir, join(nginxDir, 'yeyak.conf')));
  started(startPart(dir, 'nginx', 'nginx', ['-p', nginxDir, '-c', join(nginxDir, 'nginx.conf'), '-e', 'stderr', '-g', 'daemon off;']));
  await until('nginx', async () => (await fetch(`http://127.0.0.1:${PORTS.nginx}/api/v1/ready`)).ok, 30_000);

  say('the synthetic probe (a citizen\'s journey every 10 s through nginx)…');
  started(
    startPart(dir, 'probe', tsx, ['probe/probe.ts', '--target', `http://127.0.0.1:${PORTS.nginx}`, '--metrics-port', String(PORTS.probe)], {
      cwd: ROOT,
      env: { YEYAK_PROBE_KEY: state.nodeEnv.YEYAK_PROBE_KEY! },
    }),
  );
  await until('the probe\'s first successful journey', async () => /^yeyak_probe_up 1$/m.test(await (await fetch(`http://127.0.0.1:${PORTS.probe}/metrics`)).text()), 90_000, 500);

  say('Prometheus with the alert rules…');
  const promFile = join(dir, 'prometheus', 'prometheus.yml');
  writeFileSync(promFile, prometheusConf(join(ROOT, 'docs', 'monitoring', 'alerts.yml')));
  started(
    startPart(dir, 'prometheus', 'prometheus', [
      `--config.file=${promFile}`,
      `--storage.tsdb.path=${join(dir, 'prometheus', 'data')}`,
      `--web.listen-address=127.0.0.1:${PORTS.prometheus}`,
    ]),
  );
  await until('Prometheus scraping the three nodes and the probe', async () => {
    const targets = (await (await fetch(`http://127.0.0.1:${PORTS.prometheus}/api/v1/targets`)).json()) as { data: { activeTargets: { health: string }[] } };
    return targets.data.activeTargets.filter((t) => t.health === 'up').length === PORTS.nodes.length + 1;
  }, 60_000, 500);
  return state;
}

/** Starts node `i` (the first one seeds the demo) as its own process group. */
export function startNode(dir: string, env: Record<string, string>, i: number, extraEnv: Record<string, string> = {}): RunningPart {
  const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
  return startPart(dir, nodeName(i), tsx, ['src/server.ts'], { cwd: ROOT, env: { ...env, PORT: String(PORTS.nodes[i]), YEYAK_DEMO: i === 0 ? '1' : '0', ...extraEnv } });
}

/** The nodes' environment: the stores through HAProxy and Sentinel, both proxies trusted, fresh secrets. */
function nodeEnvironment(): Record<string, string> {
  const key = (kid: string) => `${kid}:${randomBytes(32).toString('base64')}`;
  return {
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl(),
    REDIS_URL: `redis://127.0.0.1:${PORTS.redis[0]}`,
    YEYAK_REDIS_SENTINELS: PORTS.sentinels.map((p) => `127.0.0.1:${p}`).join(','),
    YEYAK_REDIS_MASTER_NAME: REDIS_MASTER_NAME,
    // nginx and HAProxy both connect from 127.0.0.1; clients come from other loopback addresses.
    YEYAK_TRUST_PROXY: '127.0.0.1',
    YEYAK_SIGNING_KEYS: key('cluster-s1'),
    YEYAK_ENCRYPTION_KEYS: key('cluster-e1'),
    YEYAK_PERSON_PEPPER: randomBytes(32).toString('base64'),
    // The queue's public log, checked by `npm run audit -- --url http://127.0.0.1:<nginx port> --campaign …`.
    YEYAK_LOG_SIGNER_KEY: generateSignerKey('cluster.yeyak/queue-log'),
    YEYAK_OPERATOR_KEY: randomBytes(24).toString('base64url'),
    // The synthetic probe's credential: node1 seeds the probe's campaign and persons with the demo.
    YEYAK_PROBE_KEY: randomBytes(24).toString('base64url'),
    YEYAK_REGISTRY_URL: `http://127.0.0.1:${PORTS.registry}`,
    YEYAK_MESSAGE_GATEWAY_URL: `http://127.0.0.1:${PORTS.messages}`,
    // A lab: the development sign-in stands in for the identity providers, over plain HTTP.
    YEYAK_DEV_IDENTITY: '1',
    YEYAK_SECURE_COOKIES: '0',
    YEYAK_PUBLIC_URL: `http://127.0.0.1:${PORTS.nginx}`,
    // Any other YEYAK_* setting given to `up` reaches the nodes (e.g. YEYAK_IDENTITY_LIMIT_PER_ADDRESS).
    ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('YEYAK_') && !e[0].startsWith('YEYAK_CLUSTER_') && e[1] !== undefined)),
  };
}

/** Debian's `postgres` user (created by the postgresql package), from /etc/passwd. */
function postgresUser(): { uid: number; gid: number } {
  const entry = readFileSync('/etc/passwd', 'utf8').split('\n').map((line) => line.split(':')).find((fields) => fields[0] === 'postgres');
  if (!entry) throw new Error('no `postgres` user: apt-get install postgresql creates it');
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}
