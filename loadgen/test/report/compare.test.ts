import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { analyzePair, ratioRows, runLabels } from '../../src/report/comparison.js';
import { writeComparison } from '../../src/report/index.js';
import { loadRun } from '../../src/report/load-run.js';
import { knownRun, point, runInfo, tempDir, writeRun, removeTempDirs } from './fixtures.js';

afterAll(removeTempDirs);

describe('compare', () => {
  test('ratio B / A for every cell both runs measured', async () => {
    const root = await tempDir();
    const a = await writeRun(join(root, 'a'), knownRun(), runInfo({ name: 'baseline' }));
    const twice = knownRun().map((p) => ({ ...p, requestsPerS: p.requestsPerS * 2 }));
    const b = await writeRun(join(root, 'b'), [...twice, point({ threads: 32 })], runInfo({ name: 'patched' }));
    const [runA, runB] = [await loadRun(a), await loadRun(b)];
    const [analysisA, analysisB] = analyzePair(runA, runB);
    const ratios = ratioRows(analysisA, analysisB);
    expect(ratios).toHaveLength(25);
    for (const r of ratios) expect(r.ratio).toBeCloseTo(2, 3);
    expect(runLabels(runA, runB)).toEqual(['baseline', 'patched']);

    const result = await writeComparison(a, b);
    expect(result.htmlPath).toBe(join(root, 'compare-a-vs-b.html'));
    const html = await readFile(result.htmlPath, 'utf8');
    expect(html).toContain('speedlab comparison — baseline vs patched');
    expect(html).toContain('id="chart-ratios"');
    expect(html).toContain('<a href="a/points.jsonl">');
    expect((html.match(/<strong>2<\/strong>/g) ?? []).length).toBe(25);
    // each run's headline above its findings
    expect(html.match(/<h3>(baseline|patched)<\/h3>\n<p class="subtitle">[^\n]*\n<p class="headline"><strong>Headline:<\/strong> <span class="bad">Expectation NOT met: /g)).toHaveLength(2);
    expect(result.findings.a.length).toBeGreaterThan(0);
  });

  test('runs of the same experiment are told apart by their directories, and named alike', async () => {
    const root = await tempDir();
    const a = await writeRun(join(root, 'run-1'), knownRun());
    const b = await writeRun(join(root, 'run-2'), knownRun().filter((p) => p.params.log !== 'full'));
    const [runA, runB] = [await loadRun(a), await loadRun(b)];
    expect(runLabels(runA, runB)).toEqual(['run-1', 'run-2']);
    const [analysisA, analysisB] = analyzePair(runA, runB);
    // run-2 alone has no fsync series, but shares run-1's names
    expect(analysisB.series.map((s) => s.name)).toEqual(analysisA.series.filter((s) => !s.name.startsWith('full')).map((s) => s.name));
    const out = join(root, 'out.html');
    expect((await writeComparison(a, b, out)).htmlPath).toBe(out);
  });
});
