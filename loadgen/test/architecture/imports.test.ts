// The import structure of loadgen/src, read from its sources: one module talks to dockerode, no
// folder imports a folder that imports it back, directly or around a longer loop, and the data
// path flows down: the top-level folders and files sit in layers (LAYERS), and none imports from
// a layer above its own. A file directly in loadgen/src counts on its own (cli.ts imports every
// command, and every folder may use errors.ts: as one node they would be a cycle that says nothing).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

/**
 * loadgen/src's top-level folders and files, bottom to top: each imports from its own layer (without
 * a cycle) or the ones below. Every one has a place, so a new folder is placed on purpose.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['errors.ts', 'validate.ts', 'util'],
  ['results'],
  ['disk', 'network', 'threads'],
  ['workload'],
  ['runtime'],
  ['experiment'],
  ['analysis', 'check'],
  ['report', 'sweep'],
  ['api'],
  ['commands'],
  ['cli.ts', 'index.ts'],
];

/** relative path -> source text of every .ts file under dir */
function sources(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (entry.endsWith('.ts')) out.set(entry.split(path.sep).join('/'), readFileSync(path.join(dir, entry), 'utf8'));
  }
  return out;
}

/** what a file imports: static, type-only, re-exports, dynamic import('...') and require('...') */
function specifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

function nodeOf(file: string): string {
  const dir = path.posix.dirname(file);
  return dir === '.' ? file : dir;
}

/** the top-level folder, or the file directly in the root, that a file is in */
function topOf(file: string): string {
  return file.split('/')[0]!;
}

/** every relative import that stays under the root: the importing file, the specifier as written, and the file it names */
function localImports(files: Map<string, string>): { file: string; spec: string; target: string }[] {
  return [...files].flatMap(([file, text]) => specifiers(text)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => ({ file, spec, target: path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, '.ts') }))
    .filter(({ target }) => !target.startsWith('../')));
}

/** node -> node -> the import lines that make the edge */
function folderGraph(files: Map<string, string>): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>();
  for (const { file, spec, target } of localImports(files)) {
    const from = nodeOf(file);
    const to = nodeOf(target);
    if (to === from) continue;
    const edges = graph.get(from) ?? new Map<string, string[]>();
    graph.set(from, edges);
    edges.set(to, [...(edges.get(to) ?? []), `${file} -> ${spec}`]);
  }
  return graph;
}

/** each import from a lower layer to a higher one: 'file -> specifier' and the two places it joins */
function upwardImports(files: Map<string, string>, layers: readonly (readonly string[])[]): string[] {
  const layerOf = new Map(layers.flatMap((names, i) => names.map((name) => [name, i] as const)));
  return localImports(files).flatMap(({ file, spec, target }) => {
    const from = topOf(file);
    const to = topOf(target);
    const below = layerOf.get(from);
    const above = layerOf.get(to);
    if (below === undefined || above === undefined || above <= below) return [];
    return [`${file} -> ${spec}: ${from} imports ${to}, a layer above it`];
  });
}

/** the top-level folders and files with no place in the layers, and the places that name nothing */
function unplaced(files: Map<string, string>, layers: readonly (readonly string[])[]): { missing: string[]; stale: string[] } {
  const present = new Set([...files.keys()].map(topOf));
  const placed = new Set(layers.flat());
  return { missing: [...present].filter((n) => !placed.has(n)).sort(), stale: [...placed].filter((n) => !present.has(n)).sort() };
}

/** the strongly connected components with more than one node (Tarjan), each with the imports inside it */
function cycles(graph: Map<string, Map<string, string[]>>): { nodes: string[]; imports: string[] }[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) found.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found.map((nodes) => ({
    nodes,
    imports: nodes.flatMap((a) => nodes.flatMap((b) => graph.get(a)?.get(b) ?? [])),
  }));
}

describe('the cycle check itself', () => {
  it('finds a two-folder and a three-folder loop, counts type-only and dynamic imports, and nothing in a tree', () => {
    const loops = new Map([
      ['a/x.ts', "import type { Y } from '../b/y.js';"],
      ['b/y.ts', "export { X } from '../a/x.js';"],
      ['c/p.ts', "const q = await import('../d/q.js');"],
      ['d/q.ts', "import '../e/r.js';"],
      ['e/r.ts', "import { p } from '../c/p.js';\nimport { x } from '../a/x.js';"],
      ['main.ts', "import { p } from './c/p.js';"],
    ]);
    expect(cycles(folderGraph(loops))).toEqual([
      { nodes: ['a', 'b'], imports: ['a/x.ts -> ../b/y.js', 'b/y.ts -> ../a/x.js'] },
      { nodes: ['c', 'd', 'e'], imports: ['c/p.ts -> ../d/q.js', 'd/q.ts -> ../e/r.js', 'e/r.ts -> ../c/p.js'] },
    ]);
    const tree = new Map([
      ['a/x.ts', "import { y } from './b/y.js';\nimport { z } from '../c/z.js';"],
      ['a/b/y.ts', "import { z } from '../../c/z.js';"],
      ['c/z.ts', "import { readFileSync } from 'node:fs';"],
    ]);
    expect(cycles(folderGraph(tree))).toEqual([]);
  });
});

describe('the layer check itself', () => {
  const layers = [['low.ts', 'a', 'b'], ['c'], ['top.ts']];

  it('names each import from a lower layer to a higher one, type-only and dynamic ones too, and allows one within a layer', () => {
    const files = new Map([
      ['a/x.ts', "import type { Z } from '../c/z.js';\nimport { y } from '../b/y.js';"],
      ['a/deep/w.ts', "const t = await import('../../top.js');\nimport { e } from '../../low.js';"],
      ['b/y.ts', "import { readFileSync } from 'node:fs';"],
      ['c/z.ts', "import { y } from '../b/y.js';\nimport { w } from '../a/deep/w.js';"],
      ['low.ts', 'export const e = 1;'],
      ['top.ts', "import { z } from './c/z.js';"],
    ]);
    expect(upwardImports(files, layers)).toEqual([
      'a/x.ts -> ../c/z.js: a imports c, a layer above it',
      'a/deep/w.ts -> ../../top.js: a imports top.ts, a layer above it',
    ]);
  });

  it('names a top-level folder or file the layers leave out, and a place that names nothing', () => {
    const files = new Map([['a/x.ts', ''], ['new/n.ts', ''], ['low.ts', ''], ['top.ts', ''], ['c/z.ts', ''], ['extra.ts', '']]);
    expect(unplaced(files, layers)).toEqual({ missing: ['extra.ts', 'new'], stale: ['b'] });
  });
});

describe('loadgen/src', () => {
  const files = sources(SRC);
  const graph = folderGraph(files);

  it('has one module that imports dockerode (and its types)', () => {
    const importers = [...files].filter(([, text]) => specifiers(text).includes('dockerode')).map(([file]) => file);
    expect(importers).toEqual(['runtime/docker/engine/engine.ts']);
  });

  it('has no folder that imports a folder that imports it back', () => {
    // the check reads the real sources: the docker runtime's folders are there
    expect([...(graph.get('runtime/docker')?.keys() ?? [])]).toEqual(
      expect.arrayContaining(['runtime/docker/containers', 'runtime/docker/counters', 'runtime/docker/disk', 'runtime/docker/engine', 'runtime/docker/image']),
    );
    expect(cycles(graph)).toEqual([]);
  });

  it('places every top-level folder and file in LAYERS', () => {
    expect(unplaced(files, LAYERS)).toEqual({ missing: [], stale: [] });
  });

  it('has no import from a layer to one above it', () => {
    expect(upwardImports(files, LAYERS)).toEqual([]);
  });

  it('keeps disk/ (presets, profiles, limits) free of any runtime', () => {
    const runtimes = [...(graph.get('disk')?.keys() ?? [])].filter((to) => to === 'runtime' || to.startsWith('runtime/'));
    expect(runtimes).toEqual([]);
  });
});
