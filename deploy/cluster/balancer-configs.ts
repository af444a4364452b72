import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The balancers' own files (deploy/nginx/yeyak.conf, deploy/haproxy/yeyak.cfg) made to run on one
 * machine: the same directives, only addresses, ports and paths replaced. The tests and
 * `npm run cluster` run what a team takes to production, not a copy of it.
 */

const deployFile = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

/** deploy/nginx/yeyak.conf with its cache under `dir`, and optionally another port and upstream servers. */
export function nginxConfAt(dir: string, options: { listen?: number; upstream?: string[] } = {}): string {
  let conf = deployFile('nginx/yeyak.conf').replace('/var/cache/nginx/yeyak', join(dir, 'cache'));
  if (options.listen !== undefined) conf = conf.replace(/listen 8080;/, `listen 127.0.0.1:${options.listen};`);
  const upstream = options.upstream;
  if (upstream) {
    // The file's own server lines give way to the given ones, in one place.
    let first = true;
    conf = conf.replace(/^ {4}server \d+\.\d+\.\d+\.\d+:\d+ .*;$/gm, () => {
      const replacement = first ? upstream.map((address) => `    server ${address} max_fails=2 fail_timeout=5s;`).join('\n') : '';
      first = false;
      return replacement;
    });
  }
  return conf;
}

/** A minimal main nginx.conf around `include`, every path under `dir`, in the foreground. */
export function nginxMain(dir: string, include: string): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `${k}_temp_path ${join(dir, k)};`).join(' ');
  // Room for thousands of pollers' connections (the default is 512; the file limit must allow it).
  return `pid ${join(dir, 'nginx.pid')};\nerror_log stderr;\nevents { worker_connections 16384; }\nhttp {\n  access_log off;\n  ${temp}\n  include ${include};\n}\n`;
}

export interface HaproxyPlacement {
  /** The file's bind ports (8081, 5000, 5001, 8404) → the port to bind on 127.0.0.1. */
  binds: Record<string, number>;
  /** Server name (node1…, pg-a…) → its address. */
  addresses: Record<string, string>;
  /** Database server name → the port of its Patroni REST API (8008 in the file). */
  checkPorts: Record<string, number>;
  /** Health-check interval in place of the file's 2 s (a test's fake servers answer at once). */
  checkInterval?: string;
  /**
   * Behind another proxy (nginx at the edge), HAProxy keeps the X-Forwarded-For it receives and
   * appends its peer, instead of replacing it as an edge must: the nodes trust both proxies.
   */
  behindProxy?: boolean;
  /** Names the node that answered in `X-Yeyak-Node` (a lab's view; a production edge need not tell). */
  nameTheNode?: boolean;
}

/** deploy/haproxy/yeyak.cfg bound to loopback ports and pointed at the given servers. */
export function haproxyConfAt(placement: HaproxyPlacement): string {
  let cfg = deployFile('haproxy/yeyak.cfg')
    .replace(/bind :(\d+)/g, (_all, port: string) => `bind 127.0.0.1:${placement.binds[port] ?? port}`)
    // A node's unchecked fallback (`nodeN-fallback … backup`) is the same node.
    .replace(/^(\s+server (\S+) )(\S+)/gm, (_all, head: string, name: string) => `${head}${placement.addresses[name.replace(/-fallback$/, '')] ?? 'unknown-server'}`)
    .replace(/^(\s+server (\S+) .*check port )8008/gm, (_all, head: string, name: string) => `${head}${placement.checkPorts[name] ?? 8008}`);
  if (placement.checkInterval) cfg = cfg.replace(/inter 2s/g, `inter ${placement.checkInterval}`);
  if (placement.behindProxy) cfg = cfg.replace(/^\s+http-request del-header X-Forwarded-For\n/m, '');
  if (placement.nameTheNode) cfg = cfg.replace(/^(backend yeyak_nodes\n\s+mode http\n)/m, '$1    http-response set-header X-Yeyak-Node %s\n');
  // Servers the placement does not name (e.g. a third node) are left out rather than dialled.
  return cfg.replace(/^\s+server \S+ unknown-server.*\n/gm, '');
}
