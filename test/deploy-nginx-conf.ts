import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** deploy/nginx/yeyak.conf with its cache under `dir`, and optionally another port and upstream servers. */
export function nginxConfAt(dir: string, options: { listen?: number; upstream?: string[] } = {}): string {
  let conf = readFileSync(new URL('../deploy/nginx/yeyak.conf', import.meta.url), 'utf8').replace('/var/cache/nginx/yeyak', join(dir, 'cache'));
  if (options.listen !== undefined) conf = conf.replace(/listen 8080;/, `listen 127.0.0.1:${options.listen};`);
  const upstream = options.upstream;
  if (upstream) {
    // The file's own server lines give way to the test's origins, in one place.
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
  return `pid ${join(dir, 'nginx.pid')};\nerror_log stderr;\nevents {}\nhttp {\n  access_log off;\n  ${temp}\n  include ${include};\n}\n`;
}
