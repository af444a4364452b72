import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { expandIncludes } from './page-parts.ts';

/** One servable file: its bytes, the gzip of them (computed once), and how to describe it. */
export interface WebAsset {
  body: Buffer;
  gzipped: Buffer;
  contentType: string;
  etag: string;
  /** Content-addressed files never change under their name; pages must be revalidated. */
  immutable: boolean;
}

/** The pages of one area (`site` at `/`, `console` at `/console/`, `clinic` at `/clinic/`): path → asset. */
export type WebAssets = Map<string, WebAsset>;

/** A page area: its folder under `src/web/` and where it is mounted. */
export interface WebArea {
  name: 'site' | 'console' | 'clinic';
  mount: string;
}

export const WEB_AREAS: readonly WebArea[] = [
  { name: 'site', mount: '/' },
  { name: 'console', mount: '/console/' },
  { name: 'clinic', mount: '/clinic/' },
];

const WEB_DIR = fileURLToPath(new URL('.', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
};

/** `fileName` decides the content type (`index.html` is served at its folder's path). */
function asset(body: Buffer, fileName: string, immutable: boolean): WebAsset {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return { body, gzipped: gzipSync(body, { level: 9 }), contentType: CONTENT_TYPES[extname(fileName)] ?? 'application/octet-stream', etag, immutable };
}

/**
 * Bundles `src/web/<area>/main.ts` (each `*.entry.ts` too) with esbuild into content-hashed
 * `/assets/<area>-<name>.<hash>.js`, and reads `src/web/<area>/public/` as it is but for two
 * substitutions: in HTML, `<!-- include: <part> … -->` becomes the shared part (`page-parts.ts`);
 * then in HTML and CSS, `{{asset:<name>.js}}` becomes the hashed path, so a page can be cached by
 * a CDN for a short time while its scripts are cached for ever.
 */
export async function buildWebAssets(area: WebArea): Promise<WebAssets> {
  const areaDir = join(WEB_DIR, area.name);
  const entries = (await readdir(areaDir)).filter((f) => f === 'main.ts' || f.endsWith('.entry.ts'));
  const assets: WebAssets = new Map();
  const hashedNames = new Map<string, string>();
  if (entries.length > 0) {
    const result = await build({
      entryPoints: entries.map((f) => join(areaDir, f)),
      bundle: true,
      minify: true,
      format: 'esm',
      // Safari 15 (iOS 15, which every iPhone since the 6s runs): esbuild cannot lower destructuring for Safari 14.
      target: ['es2020', 'chrome90', 'safari15'],
      write: false,
      outdir: '/assets',
      entryNames: `${area.name}-[name].[hash]`,
      chunkNames: `${area.name}-chunk.[hash]`,
      splitting: true,
      legalComments: 'none',
      logLevel: 'silent',
    });
    for (const file of result.outputFiles) {
      const url = file.path.slice(file.path.indexOf('/assets/'));
      assets.set(url, asset(Buffer.from(file.contents), url, true));
      const logical = url.replace(`/assets/${area.name}-`, '').replace(/\.[A-Z0-9]+\.js$/, '.js');
      hashedNames.set(logical, url);
    }
  }
  await readPublic(join(areaDir, 'public'), area.mount, hashedNames, assets);
  return assets;
}

async function readPublic(dir: string, mount: string, hashedNames: Map<string, string>, assets: WebAssets): Promise<void> {
  const files = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const file of files) {
    const path = join(dir, file.name);
    if (file.isDirectory()) {
      await readPublic(path, `${mount}${file.name}/`, hashedNames, assets);
      continue;
    }
    let body = await readFile(path);
    if (/\.(html|css)$/.test(file.name)) {
      const text = file.name.endsWith('.html') ? expandIncludes(body.toString('utf8'), path) : body.toString('utf8');
      body = Buffer.from(
        text.replace(/\{\{asset:([\w.-]+)\}\}/g, (_m, name: string) => {
          const url = hashedNames.get(name);
          if (!url) throw new Error(`web: ${path} names an unknown asset ${name}`);
          return url;
        }),
      );
    }
    const url = file.name === 'index.html' ? mount : `${mount}${file.name}`;
    assets.set(url, asset(body, file.name, false));
  }
}
