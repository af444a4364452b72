import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haproxyConfAt } from '../deploy/cluster/balancer-configs.ts';
import { freePort } from './support/redis.ts';

const haproxyOnPath = spawnSync('haproxy', ['-v'], { stdio: 'ignore' }).status === 0;

type Closable = Server | TcpServer;
const listen = async (server: Closable): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
};

/** A stand-in node: `/api/v1/ready` answers `ready()`, anything else its name. */
function fakeNode(name: string, ready: () => number): Server {
  return createServer((request, response) => {
    response.writeHead(request.url === '/api/v1/ready' ? ready() : 200, { 'content-type': 'text/plain' });
    response.end(`${name} ${request.headers['x-forwarded-for'] ?? ''}`);
  });
}

/**
 * A stand-in PostgreSQL that says its name on connect, and its Patroni REST API. HAProxy's TCP
 * check connects and resets at once, so writing the name may meet EPIPE/ECONNRESET: ignored, as a
 * real server would.
 */
function fakeDatabase(name: string, role: () => 'primary' | 'replica' | 'none'): { sql: TcpServer; rest: Server } {
  const sql = createTcpServer((socket) => {
    socket.on('error', () => undefined);
    socket.end(name);
  });
  const rest = createServer((request, response) => {
    response.writeHead(request.url === `/${role()}` ? 200 : 503);
    response.end();
  });
  return { sql, rest };
}

/** Which stand-in database a new connection through `port` reaches ('' when refused or closed). */
function reach(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => (text += String(chunk)));
    socket.on('close', () => resolve(text));
    socket.on('error', () => resolve(''));
  });
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * deploy/haproxy/yeyak.cfg in a real HAProxy, its addresses moved to loopback stand-ins and its
 * check interval shortened: the nodes routed by `/api/v1/ready`, PostgreSQL by Patroni's `/primary`.
 */
describe.skipIf(!haproxyOnPath)('deploy/haproxy/yeyak.cfg in a real HAProxy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'yeyak-haproxy-'));
  const readiness: Record<string, number> = { node1: 200, node2: 503, node3: 200 };
  const roles: Record<string, 'primary' | 'replica' | 'none'> = { 'pg-a': 'replica', 'pg-b': 'primary' };
  const servers: Closable[] = [];
  const ports: Record<string, number> = {};
  let haproxy: ChildProcess;

  beforeAll(async () => {
    const addresses: Record<string, string> = {};
    const checkPorts: Record<string, number> = {};
    for (const name of Object.keys(readiness)) {
      const server = fakeNode(name, () => readiness[name]!);
      servers.push(server);
      addresses[name] = `127.0.0.1:${await listen(server)}`;
    }
    for (const name of Object.keys(roles)) {
      const { sql, rest } = fakeDatabase(name, () => roles[name]!);
      servers.push(sql, rest);
      addresses[name] = `127.0.0.1:${await listen(sql)}`;
      checkPorts[name] = await listen(rest);
    }
    for (const bind of ['8081', '5000', '5001', '8404']) ports[bind] = await freePort();
    const binds = Object.fromEntries(Object.keys(ports).map((bind) => [bind, ports[bind]!]));
    const cfg = haproxyConfAt({ binds, addresses, checkPorts, checkInterval: '100ms' });
    writeFileSync(join(dir, 'yeyak.cfg'), cfg);
    haproxy = spawn('haproxy', ['-db', '-f', join(dir, 'yeyak.cfg')], { stdio: 'ignore' });
    await until('haproxy', async () => (await fetch(`http://127.0.0.1:${ports['8404']}/`)).ok);
  });

  afterAll(async () => {
    if (haproxy.exitCode === null) await new Promise((resolve) => haproxy.once('exit', resolve).kill('SIGTERM'));
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    rmSync(dir, { recursive: true, force: true });
  });

  const http = async (path: string, headers: Record<string, string> = {}) => (await fetch(`http://127.0.0.1:${ports['8081']}${path}`, { headers })).text();

  it('sends requests only to nodes whose /api/v1/ready answers 200, with the peer as X-Forwarded-For', async () => {
    const served = async () => new Set(await Promise.all(Array.from({ length: 12 }, () => http('/api/v1/campaigns', { 'x-forwarded-for': '203.0.113.7' }).then((t) => t.split(' ')[0]))));
    // Every round of requests reaches only the ready nodes; a check missed on a busy machine may
    // take a ready node out for a moment too, so the rounds are read until both ready ones answer.
    let seen = new Set<string | undefined>();
    await until('node2 taken out', async () => !(seen = await served()).has('node2') && seen.size === 2);
    expect(seen).toEqual(new Set(['node1', 'node3']));
    expect((await served()).has('node2')).toBe(false);
    readiness.node2 = 200;
    await until('node2 back in', async () => (await served()).has('node2'));
    expect((await http('/api/v1/health', { 'x-forwarded-for': '203.0.113.7' })).split(' ')[1]).toBe('127.0.0.1');
  });

  it('fails open when every node fails /api/v1/ready at once (a shared store down): the nodes answer, not HAProxy', async () => {
    for (const name of Object.keys(readiness)) readiness[name] = 503;
    const served = async () => new Set(await Promise.all(Array.from({ length: 12 }, () => http('/api/v1/campaigns').then((t) => t.split(' ')[0]))));
    await until('every node marked down', async () => (await served()).size === 3 && !(await fetch(`http://127.0.0.1:${ports['8404']}/;csv`).then((r) => r.text())).split('\n').some((l) => /^yeyak_nodes,node\d,.*,UP,/.test(l)));
    // Every answer comes from a node (HAProxy's own 503 page would add its own first word), and each
    // node answers in turn: rounds of 12 until all three have (three fixed rounds once missed one,
    // the backups' rotation having just been reset as the last server went down).
    const answers = new Set<string | undefined>();
    await until('each node answering', async () => {
      for (const answer of await served()) answers.add(answer);
      return answers.size >= 3;
    });
    expect(answers).toEqual(new Set(['node1', 'node2', 'node3']));
    for (const name of Object.keys(readiness)) readiness[name] = 200;
  });

  it('sends PostgreSQL connections to the Patroni primary, follows a switchover, and refuses while there is none', async () => {
    const primaryPort = ports['5000']!;
    await until('pg-b as primary', async () => (await reach(primaryPort)) === 'pg-b');
    expect(await reach(ports['5001']!)).toBe('pg-a');
    roles['pg-b'] = 'none';
    // No primary: a new connection is closed at once, never sent to a replica.
    await until('no primary', async () => (await reach(primaryPort)) === '');
    roles['pg-a'] = 'primary';
    await until('pg-a promoted', async () => (await reach(primaryPort)) === 'pg-a');
  });
});
