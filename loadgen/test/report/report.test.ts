import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ReportInputError } from '../../src/errors.js';
import { writeReport } from '../../src/report/index.js';
import { knownRun, point, runInfo, series, tempDir, writeRun, removeTempDirs } from './fixtures.js';

afterAll(removeTempDirs);

const EVIL = '<script>alert("x")</script>';

/** The text outside the inlined libraries and JSON blocks: what the page itself says. */
function pageText(html: string): string {
  return html.replace(/<script data-lib="[^"]*" data-version="[^"]*">[\s\S]*?<\/script>/g, '');
}

describe('writeReport', () => {
  test('writes report.html and summary.csv with every section, chart and link', async () => {
    const dir = await writeRun(await tempDir(), knownRun());
    const result = await writeReport(dir);
    expect(result.htmlPath).toBe(join(dir, 'report.html'));
    expect(result.summaryPath).toBe(join(dir, 'summary.csv'));
    const html = await readFile(result.htmlPath, 'utf8');
    for (const id of ['findings', 'charts', 'usl', 'environment', 'points']) expect(html).toContain(`id="${id}"`);
    for (const lib of ['vega', 'vega-lite', 'vega-embed']) expect(html).toContain(`<script data-lib="${lib}"`);
    expect(html).toContain('<a href="points.jsonl">');
    expect(html).toContain('<a href="summary.csv">');
    // a server-rendered SVG in every chart
    const figures = html.match(/<figure class="chart"[\s\S]*?<\/figure>/g) ?? [];
    expect(figures).toHaveLength(7);
    for (const f of figures) expect(f).toMatch(/<div class="chart-static"><svg [\s\S]*class="mark-[a-z]+ role-mark/);
    // the environment and calibration
    for (const text of ['5.10.0-28-amd64', 'cgroup version', '20.10.24', '0-3', '4-5', 'buffered + fsync write', '75.9 MiB/s']) expect(html).toContain(text);
    // one row per point
    expect((html.match(/<tr class="(failed)?">/g) ?? []).length).toBe(75);
    // no reference to anything outside the file
    expect(pageText(html)).not.toMatch(/\b(src|href)="(?!points\.jsonl|summary\.csv|run\.json)/);
    expect(result.findings.map((f) => f.kind)).toContain('disk-bound');
    // the headline: the run's main result (its failed expectation), the untrusted and noisy series beside it
    expect(html).toContain('<h2>Findings</h2>\n<p class="headline"><strong>Headline:</strong> <span class="bad">Expectation NOT met: disk: ram, log: off — speedup at 8 threads at least 2 — measured 1.6×</span> '
      + '<span class="warn">Caveats: 1 series is not trusted: the load generator may have set its throughput; 1 series is noisy (requests/s vary by more than 5% across repetitions).</span></p>\n<ul class="findings">');
  });

  test('escapes every string that comes from an experiment or a server', async () => {
    const points = series({ params: { disk: EVIL }, sigma: 0.1, kappa: 0, lambda: 100, extra: (t) => (t === 2 ? { outcome: 'failed', failure: EVIL, verification: { checked: 1, mismatches: 1, detail: EVIL } } : {}) });
    const info = runInfo({
      name: EVIL,
      expectations: [{ description: EVIL, passed: false, detail: EVIL }],
      calibration: [{ disk: EVIL, fsyncWriteMiBps: 1 }],
      tools: { [EVIL]: EVIL },
      experiment: { name: EVIL },
    });
    info.host.hostname = EVIL;
    info.host.cpuModel = EVIL;
    const dir = await writeRun(await tempDir(), points, info);
    const { htmlPath } = await writeReport(dir);
    const html = await readFile(htmlPath, 'utf8');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toMatch(/<\/script>\s*(")?<\/script>/);
    expect(pageText(html)).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    // inside the JSON blocks, '<' is \u003c, so the data cannot close its <script> element
    expect(html).toContain('\\u003cscript\\u003ealert');
    // the only <script> elements are ours
    expect((html.match(/<script\b[^>]*>/g) ?? []).every((tag) => /^<script( type="application\/json"( id="report-data"| class="chart-spec")| data-lib="[a-z-]+" data-version="[\d.]+")?>$/.test(tag))).toBe(true);
  });

  test('tolerates failed points, records of older versions, single-thread series and a truncated line', async () => {
    // a record written before engines existed
    const { engine: _engine, ...params } = point({ threads: 2, disk: 'hdd' }).params;
    const sparse = { ...point({ threads: 2, disk: 'hdd' }), params };
    const points = [
      ...series({ params: { lock: 'global' }, threads: [1], sigma: 0, kappa: 0, lambda: 500 }),
      point({ threads: 1, disk: 'hdd' }),
      sparse,
      point({ threads: 4, disk: 'hdd' }, { outcome: 'failed', failure: 'server died' }),
    ];
    const dir = await tempDir();
    await writeRun(dir, []);
    await writeFile(join(dir, 'points.jsonl'), points.map((p) => JSON.stringify(p)).join('\n') + '\n{"id": "trunc');
    const result = await writeReport(dir);
    expect(result.points).toBe(6);
    expect(result.warnings).toEqual(['points.jsonl line 7 has no newline at its end and was skipped (a truncated write?).']);
    expect(result.findings.map((f) => f.kind)).toEqual(expect.arrayContaining(['failed-points', 'not-enough-data']));
    const html = await readFile(result.htmlPath, 'utf8');
    expect(html).toContain('server died');
    expect(html).toContain('truncated write');
    const csv = await readFile(result.summaryPath, 'utf8');
    expect(csv.trimEnd().split('\n')).toHaveLength(1 + 4);
  });

  test('an empty points.jsonl gives a report that says so', async () => {
    const dir = await writeRun(await tempDir(), [], runInfo({ expectations: [] }));
    const result = await writeReport(dir);
    expect(result.points).toBe(0);
    expect(result.findings).toEqual([expect.objectContaining({ kind: 'no-data', text: 'No point was measured: points.jsonl is empty, so there is nothing to chart.' })]);
    const html = await readFile(result.htmlPath, 'utf8');
    expect(html).toContain('No chart: no point was measured successfully.');
    expect(await readFile(result.summaryPath, 'utf8')).toMatch(/^series,log,lock,[^\n]*\n$/);
  });

  test('works without run.json, and refuses a directory without points.jsonl', async () => {
    const dir = await writeRun(await tempDir(), knownRun(), null);
    const result = await writeReport(dir);
    expect(result.warnings).toEqual(['run.json is missing: the environment of this run is unknown.']);
    const empty = await tempDir();
    await expect(writeReport(empty)).rejects.toThrow(ReportInputError);
    await expect(writeReport(empty)).rejects.toThrow(/points\.jsonl does not exist/);
    await expect(writeReport(join(empty, 'nope'))).rejects.toThrow(/is not a results directory/);
  });
});
