import { describe, expect, it } from 'vitest';
import { importEdges, sourceFiles, unitCycles, unitOf, type ImportEdge } from './support/module-graph.ts';

// The dependency rules of docs/architecture.md ("Module boundaries") that a lint rule, which sees
// one file at a time, cannot check: no two parts of the server depend on each other, around any
// loop. ESLint's `module-boundaries/public-entry` keeps every module entered through its index.ts.

const ROOT = new URL('..', import.meta.url).pathname;
const files = [...sourceFiles(ROOT, 'src'), ...sourceFiles(ROOT, 'migrations')];
const edges = importEdges(ROOT, files);

/** `Ctx` (src/context.ts) is the composition root's type: every module receives it and it names every service, as types only. */
const CONTEXT = 'src/context.ts';

describe('the module graph', () => {
  it('reads the whole server', () => {
    expect(files.length).toBeGreaterThan(250);
    expect(edges.length).toBeGreaterThan(800);
    expect(new Set(files.map(unitOf)).size).toBeGreaterThan(25);
  });

  it('has no cycle between modules or shared folders, types included', () => {
    expect(unitCycles(edges.filter((e) => e.to !== CONTEXT))).toEqual([]);
  });

  it('has no cycle between files at run time (an ES module loop can see a binding before it is set)', () => {
    expect(unitCycles(edges.filter((e) => !e.typeOnly), (file) => file)).toEqual([]);
  });

  it('lets src/context.ts name the services only as types, so it adds no run-time edge', () => {
    expect(edges.filter((e) => e.from === CONTEXT && !e.typeOnly)).toEqual([]);
  });

  it('finds a cycle when there is one: directly, around three modules, and through types', () => {
    const edge = (from: string, to: string, typeOnly = false): ImportEdge => ({ from, to, typeOnly });
    expect(unitCycles([edge('src/modules/a/x.ts', 'src/modules/b/index.ts'), edge('src/modules/b/y.ts', 'src/modules/a/index.ts')])).toEqual([
      ['src/modules/a', 'src/modules/b'],
    ]);
    const loop = [edge('src/modules/a/x.ts', 'src/modules/b/y.ts'), edge('src/modules/b/y.ts', 'src/lib/z.ts'), edge('src/lib/z.ts', 'src/modules/a/w.ts', true)];
    expect(unitCycles(loop)).toEqual([['src/lib', 'src/modules/a', 'src/modules/b']]);
    expect(unitCycles([edge('src/modules/a/x.ts', 'src/modules/a/y.ts'), edge('src/modules/a/y.ts', 'src/modules/a/x.ts')])).toEqual([]);
    expect(unitCycles([edge('src/modules/a/x.ts', 'src/modules/a/y.ts'), edge('src/modules/a/y.ts', 'src/modules/a/x.ts')], (f) => f)).toEqual([
      ['src/modules/a/x.ts', 'src/modules/a/y.ts'],
    ]);
  });
});
