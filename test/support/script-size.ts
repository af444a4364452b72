/**
 * What a page's JavaScript costs on the wire: its entry script plus every chunk it imports
 * (statically or dynamically, transitively), each counted as served gzipped. `fetchGzipped`
 * returns the served body's gzipped size and its text.
 */
export async function scriptClosureSize(pageHtml: string, fetchScript: (url: string) => Promise<{ gzippedBytes: number; text: string }>): Promise<{ bytes: number; files: string[] }> {
  const entries = [...pageHtml.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1] as string);
  const seen = new Set<string>();
  let bytes = 0;
  const queue = [...entries];
  while (queue.length > 0) {
    const url = queue.shift() as string;
    if (seen.has(url)) continue;
    seen.add(url);
    const { gzippedBytes, text } = await fetchScript(url);
    bytes += gzippedBytes;
    // esbuild writes chunk imports as `from"./site-chunk.X.js"`, `import"./…"` or `import("./…")`.
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+\.js)["']/g)) queue.push(new URL(m[1] as string, `http://page${url}`).pathname);
  }
  return { bytes, files: [...seen] };
}
