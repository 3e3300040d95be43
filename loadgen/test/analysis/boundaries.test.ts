// analysis/ is the one vocabulary of statistics, series keys, findings and fits: the sweep (its
// table) and the report read it, and it reads below itself only: the records, the experiment (its
// expectations are analysis's) and util/. A point's identity, the cell key, is the records' own.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** the relative module specifiers of a file: static imports and re-exports, side-effect and dynamic imports */
function specifiers(text: string): string[] {
  const patterns = [/^(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/gm, /^import\s+'([^']+)'/gm, /\bimport\(\s*'([^']+)'\s*\)/g];
  return patterns.flatMap((re) => [...text.matchAll(re)].map((m) => m[1]!)).filter((s) => s.startsWith('.'));
}

/** top folder under src/ of each file -> the other top folders its files import */
function folderImports(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const file of sourceFiles(SRC)) {
    const from = relative(SRC, file).split('/')[0]!;
    const targets = out.get(from) ?? new Set<string>();
    out.set(from, targets);
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      const to = relative(SRC, resolve(dirname(file), spec)).split('/')[0]!;
      if (to !== from) targets.add(to);
    }
  }
  return out;
}

describe('the analysis boundary', () => {
  const imports = folderImports();

  test('the specifier reader sees multi-line, type-only, re-export and dynamic imports', () => {
    const text = "import {\n  a,\n  b,\n} from '../x/a.js';\nimport type { T } from './t.js';\nexport { c } from '../y/c.js';\nimport 'node:fs';\nconst m = await import('../z/m.js');\n";
    expect(specifiers(text).sort()).toEqual(['../x/a.js', '../y/c.js', '../z/m.js', './t.js']);
  });

  test('sweep/ and report/ read analysis/; experiment/ does not', () => {
    for (const folder of ['sweep', 'report']) expect([folder, imports.get(folder)?.has('analysis')]).toEqual([folder, true]);
    expect(imports.get('experiment')?.has('analysis')).toBe(false);
  });

  test('analysis/ reads the records, the experiment and util/, and none of them reads it back', () => {
    const read = [...(imports.get('analysis') ?? [])].sort();
    expect(read).toEqual(['experiment', 'results', 'util']);
    for (const folder of read) expect([folder, imports.get(folder)?.has('analysis')]).toEqual([folder, false]);
  });

  test('means, spreads, keys and groupings are defined in analysis/ only, the cell key in results/identity.ts only', () => {
    const defined = sourceFiles(SRC)
      .flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/^(?:export\s+)?(?:function|const)\s+(mean|meanOrNull|stat|groupBy|seriesKey|cellKey|NOISY_CV)\b/gm)].map((m) => `${relative(SRC, f)}: ${m[1]}`))
      .filter((d) => !d.startsWith('analysis/') || d.endsWith(': cellKey'));
    expect(defined).toEqual(['results/identity.ts: cellKey']);
  });
});
