import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nginxConfAt, nginxMain } from '../deploy/cluster/balancer-configs.ts';
import { freePort } from './support/redis.ts';

const nginxOnPath = spawnSync('nginx', ['-v'], { stdio: 'ignore' }).status === 0;

/**
 * deploy/nginx/yeyak.conf in a real nginx in front of a stand-in origin that answers like a node:
 * the status document with `Cache-Control: public, max-age=1`, and records what reached it.
 */
describe.skipIf(!nginxOnPath)('deploy/nginx/yeyak.conf in a real nginx', () => {
  const dir = mkdtempSync(join(tmpdir(), 'yeyak-nginx-'));
  const hits: { url: string; forwardedFor: string | undefined }[] = [];
  let origin: Server;
  let nginx: ChildProcess;
  let base: string;

  beforeAll(async () => {
    // nginx's workers run as an unprivileged user when it starts as root: they must reach the cache.
    chmodSync(dir, 0o755);
    origin = createServer((request, response) => {
      hits.push({ url: request.url ?? '', forwardedFor: request.headers['x-forwarded-for'] as string | undefined });
      const status = /\/queue$/.test(new URL(request.url ?? '/', 'http://x').pathname);
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': status ? 'public, max-age=1' : 'no-store' });
      response.end(JSON.stringify({ servedAt: Date.now() }));
    });
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    const originPort = (origin.address() as { port: number }).port;
    const port = await freePort();
    writeFileSync(join(dir, 'yeyak.conf'), nginxConfAt(dir, { listen: port, upstream: [`127.0.0.1:${originPort}`] }));
    writeFileSync(join(dir, 'nginx.conf'), nginxMain(dir, join(dir, 'yeyak.conf')));
    nginx = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr', '-g', 'daemon off;'], { stdio: 'ignore' });
    base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 10_000;
    while (!(await fetch(`${base}/api/v1/health`).then(() => true, () => false))) {
      if (Date.now() > deadline) throw new Error('nginx did not start');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  afterAll(async () => {
    if (nginx.exitCode === null) await new Promise((resolve) => nginx.once('exit', resolve).kill('SIGTERM'));
    await new Promise((resolve) => origin.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const statusHits = () => hits.filter((h) => h.url.startsWith('/api/v1/campaigns/c1/queue')).length;

  it('answers a burst of status polls with one origin request per max-age, cache busters included', async () => {
    const burst = () =>
      Promise.all(Array.from({ length: 200 }, (_, i) => fetch(`${base}/api/v1/campaigns/c1/queue${i % 2 ? `?t=${i}` : ''}`).then((r) => r.json() as Promise<{ servedAt: number }>)));
    const first = await burst();
    // proxy_cache_lock: concurrent misses wait for the one request that fills the entry.
    expect(statusHits()).toBe(1);
    expect(new Set(first.map((b) => b.servedAt)).size).toBe(1);
    // Past max-age (1 s; nginx counts whole seconds) the next burst refreshes it once more. The
    // wait is real time: it is nginx's clock being tested.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const second = await burst();
    expect(statusHits()).toBe(2);
    expect(Date.now() - second[0]!.servedAt).toBeLessThan(2_000);
  });

  it('sends everything else to the origin uncached, with the client address it saw as X-Forwarded-For', async () => {
    const before = hits.length;
    for (let i = 0; i < 3; i++) await fetch(`${base}/api/v1/campaigns/c1/queue/tickets/me`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(hits.length - before).toBe(3);
    // A forged header from the client is replaced by the peer nginx saw (here loopback).
    expect(hits.at(-1)?.forwardedFor).toBe('127.0.0.1');
  });
});
