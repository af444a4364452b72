/**
 * Reads a V8 .cpuprofile (node --cpu-prof, or node:inspector's Profiler) into what a report needs:
 * the functions with the most self time, and the share of samples spent in — or under — each area
 * of the code (a package of node_modules, a folder of src/, Node's own internals, PGlite's WebAssembly,
 * the garbage collector, idle).
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fmt, markdownTable } from './report.ts';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

interface ProfileEntry {
  name: string;
  /** Share of all samples (0–1). */
  share: number;
}

export interface ProfileSummary {
  seconds: number;
  samples: number;
  /** Share of samples the process was idle (waiting in the event loop). */
  idle: number;
  /** Functions by self time (excluding idle). */
  topFunctions: ProfileEntry[];
  /** Areas by self time (excluding idle). */
  selfByArea: ProfileEntry[];
  /** Areas by inclusive time: samples with at least one frame of the area on the stack. */
  inclusiveByArea: ProfileEntry[];
}

/** The area of the code a frame belongs to. */
function areaOf(frame: CallFrame, repoRoot: string): string {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName === '(garbage collector)') return '(garbage collector)';
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(program)') return '(program: V8/native, no JS frame)';
    if (functionName === '(root)') return '(root)';
    return `(native) ${functionName}`;
  }
  if (url.startsWith('wasm://')) return 'WebAssembly (PGlite: PostgreSQL)';
  if (url.startsWith('node:')) {
    const path = url.slice('node:'.length).replace(/^internal\//, '');
    const parts = path.split('/');
    return `node:${parts.slice(0, parts[0] === 'deps' ? 2 : 1).join('/')}`;
  }
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const file = url.startsWith('file://') ? new URL(url).pathname : url;
  const inRepo = relative(repoRoot, file);
  if (!inRepo.startsWith('..')) {
    const parts = inRepo.split('/');
    // src/modules/<module>, src/<folder>, bench/…
    if (parts[0] === 'src' && parts[1] === 'modules') return parts.slice(0, 3).join('/');
    return parts.slice(0, Math.min(2, parts.length - 1)).join('/') || inRepo;
  }
  return url;
}

function functionLabel(frame: CallFrame, repoRoot: string): string {
  const name = frame.functionName || '(anonymous)';
  if (frame.url === '') return name;
  let where = frame.url;
  if (where.startsWith('file://')) where = relative(repoRoot, new URL(where).pathname);
  where = where.replace(/^.*\/node_modules\//, '');
  return `${name} ${where}:${frame.lineNumber + 1}`;
}

export function summariseProfile(file: string, repoRoot: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  // Sample counts per node: from samples[] when present, else hitCount.
  const hits = new Map<number, number>();
  if (profile.samples && profile.samples.length > 0) for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  else for (const node of profile.nodes) if (node.hitCount) hits.set(node.id, node.hitCount);
  const total = [...hits.values()].reduce((a, b) => a + b, 0) || 1;

  const areasOnPath = new Map<number, Set<string>>();
  const pathAreas = (id: number): Set<string> => {
    const cached = areasOnPath.get(id);
    if (cached) return cached;
    const node = byId.get(id)!;
    const up = parent.get(id);
    const set = new Set(up === undefined ? [] : pathAreas(up));
    set.add(areaOf(node.callFrame, repoRoot));
    areasOnPath.set(id, set);
    return set;
  };

  const selfFn = new Map<string, number>();
  const selfArea = new Map<string, number>();
  const inclArea = new Map<string, number>();
  let idle = 0;
  for (const [id, count] of hits) {
    const node = byId.get(id);
    if (!node) continue;
    const area = areaOf(node.callFrame, repoRoot);
    if (area === '(idle)') {
      idle += count;
      continue;
    }
    const label = functionLabel(node.callFrame, repoRoot);
    selfFn.set(label, (selfFn.get(label) ?? 0) + count);
    selfArea.set(area, (selfArea.get(area) ?? 0) + count);
    for (const a of pathAreas(id)) if (a !== '(root)') inclArea.set(a, (inclArea.get(a) ?? 0) + count);
  }
  const ranked = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, count]) => ({ name, share: count / total }));
  return {
    seconds: (profile.endTime - profile.startTime) / 1e6,
    samples: total,
    idle: idle / total,
    topFunctions: ranked(selfFn, top),
    selfByArea: ranked(selfArea, top),
    inclusiveByArea: ranked(inclArea, top),
  };
}

/** A report section for one profile: self time and inclusive time by area, and the top functions. */
export function renderProfile(title: string, p: ProfileSummary & { file: string }): string[] {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return [
    `### ${title} — ${fmt(p.samples)} samples over ${p.seconds.toFixed(1)} s, idle ${pct(p.idle)} (\`${p.file}\`)`,
    '',
    markdownTable(['self time, by area', 'share'], p.selfByArea.slice(0, 10).map((e) => [e.name, pct(e.share)])),
    '',
    markdownTable(['on the stack (inclusive), by area', 'share'], p.inclusiveByArea.slice(0, 12).map((e) => [e.name, pct(e.share)])),
    '',
    markdownTable(['functions by self time', 'share'], p.topFunctions.slice(0, 12).map((e) => [`\`${e.name.replace(/\|/g, '\\|')}\``, pct(e.share)])),
    '',
  ];
}
