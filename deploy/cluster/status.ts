import { PORTS, REDIS_MASTER_NAME } from './layout.ts';
import { alive, type ClusterState } from './processes.ts';
import { redisSays } from './clients.ts';

export interface PartStatus {
  name: string;
  pid: number;
  running: boolean;
  /** What the part says of itself: its role, health, or the error reaching it. */
  detail: string;
}

const port = (name: string): number | undefined => {
  const index = Number(name.replace(/\D+/g, '')) - 1;
  if (name.startsWith('node')) return PORTS.nodes[index];
  if (name.startsWith('redis')) return PORTS.redis[index];
  if (name.startsWith('sentinel')) return PORTS.sentinels[index];
  if (name.startsWith('patroni-pg')) return PORTS.patroniApi[index];
  return undefined;
};

async function json(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return { status: response.status, body: await response.json().catch(() => null) };
}

async function describe(name: string): Promise<string> {
  const p = port(name);
  if (name === 'etcd') return `health ${JSON.stringify(((await json(`http://127.0.0.1:${PORTS.etcdClient}/health`)) as { body: unknown }).body)}`;
  if (name.startsWith('patroni-')) {
    const { body } = (await json(`http://127.0.0.1:${p}/patroni`)) as { body: { role?: string; state?: string; timeline?: number } };
    return `${body.role} (${body.state}), timeline ${body.timeline}, PostgreSQL on ${PORTS.postgres[Number(name.at(-1)) - 1]}`;
  }
  if (name.startsWith('redis')) return redisSays(p!, async (r) => `${((await r.call('ROLE')) as [string])[0]} on ${p}`);
  if (name.startsWith('sentinel')) {
    return redisSays(p!, async (r) => `primary is ${((await r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', REDIS_MASTER_NAME)) as string[]).join(':')}`);
  }
  if (name.startsWith('node')) {
    const { status, body } = (await json(`http://127.0.0.1:${p}/api/v1/ready`)) as { status: number; body: { status?: string } };
    return `ready ${status} ${body?.status ?? ''} on ${p}`.trim();
  }
  if (name === 'haproxy') return haproxyServers();
  if (name === 'nginx') return `entry http://127.0.0.1:${PORTS.nginx}/ → ${(await fetch(`http://127.0.0.1:${PORTS.nginx}/api/v1/ready`)).status}`;
  if (name === 'prometheus') {
    const { body } = (await json(`http://127.0.0.1:${PORTS.prometheus}/api/v1/targets`)) as { body: { data: { activeTargets: { health: string }[] } } };
    const { body: rules } = (await json(`http://127.0.0.1:${PORTS.prometheus}/api/v1/rules`)) as { body: { data: { groups: { rules: unknown[] }[] } } };
    const up = body.data.activeTargets.filter((t) => t.health === 'up').length;
    const ruleCount = rules.data.groups.reduce((n, g) => n + g.rules.length, 0);
    return `targets up ${up}/${body.data.activeTargets.length}, ${ruleCount} alert rules loaded, http://127.0.0.1:${PORTS.prometheus}/`;
  }
  if (name === 'registry') return `${(await fetch(`http://127.0.0.1:${PORTS.registry}/_admin/health`)).status} on ${PORTS.registry}`;
  if (name === 'messages') return `${(await fetch(`http://127.0.0.1:${PORTS.messages}/_admin/messages`)).status} on ${PORTS.messages}`;
  return '';
}

/** HAProxy's checks from its statistics CSV: proxy → server → status (UP, DOWN, …). */
export async function haproxyServerStates(): Promise<Record<string, Record<string, string>>> {
  const csv = await (await fetch(`http://127.0.0.1:${PORTS.haproxyStats}/;csv`, { signal: AbortSignal.timeout(2000) })).text();
  const [header, ...rows] = csv.replace(/^# /, '').trim().split('\n').map((line) => line.split(','));
  const col = (field: string) => header!.indexOf(field);
  const states: Record<string, Record<string, string>> = {};
  for (const r of rows) {
    const [proxy, server, status] = [r[col('pxname')]!, r[col('svname')]!, r[col('status')]!];
    if (server === 'FRONTEND' || server === 'BACKEND') continue;
    (states[proxy] ??= {})[server] = status;
  }
  return states;
}

/** Which nodes pass /api/v1/ready, which database server is the primary, as HAProxy sees them. */
async function haproxyServers(): Promise<string> {
  const states = await haproxyServerStates();
  const of = (proxy: string) => Object.entries(states[proxy] ?? {}).map(([server, status]) => `${server} ${status}`).join(', ');
  return `nodes: ${of('yeyak_nodes')}; PostgreSQL primary: ${of('postgres_primary')}`;
}

/** Each part's process and what it says of itself, in start order. */
export async function clusterStatus(state: ClusterState): Promise<PartStatus[]> {
  return Promise.all(
    state.parts.map(async (part) => {
      const running = alive(part.pid);
      const detail = await describe(part.name).catch((error: unknown) => `unreachable (${error instanceof Error ? error.message : String(error)})`);
      return { name: part.name, pid: part.pid, running, detail };
    }),
  );
}
