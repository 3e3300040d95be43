// One page with two runs side by side, and the ratio B / A for every cell both runs measured.
import { basename, dirname, join, relative } from 'node:path';
import { analyze, type Analysis } from '../analysis/analyze.js';
import type { Finding } from '../analysis/findings.js';
import { formatMicros, formatNumber } from '../analysis/format.js';
import { absentDesigns, compareSeries, seriesParams } from '../analysis/series.js';
import type { RatioRow } from './chart-data.js';
import { ratioChart, reportCharts } from './charts.js';
import { table } from './html.js';
import { html, type Html, type HtmlValue } from './html-template.js';
import type { InlineLibrary } from './libs.js';
import type { LoadedRun } from './load-run.js';
import { renderPage } from './page.js';
import { environmentRows, findingsList, headlineParagraph, uslTable, warningsList } from './sections.js';
import { runDatasets } from './single.js';

interface ComparedRun {
  run: LoadedRun;
  label: string;
  analysis: Analysis;
  findings: Finding[];
}

/** Names that tell the two runs apart even when both ran the same experiment. */
export function runLabels(a: LoadedRun, b: LoadedRun): [string, string] {
  if (a.name !== b.name) return [a.name, b.name];
  const [da, db] = [basename(a.dir), basename(b.dir)];
  if (da !== db) return [da, db];
  return [`A: ${a.name}`, `B: ${b.name}`];
}

/** Both runs analysed with the same series names. */
export function analyzePair(a: LoadedRun, b: LoadedRun): [Analysis, Analysis] {
  const all = [...a.points, ...b.points].map((p) => seriesParams(p.params));
  // an option is left out of the names only when neither run's server has it
  const inB = absentDesigns(b.info?.experiment);
  const absent = new Set([...absentDesigns(a.info?.experiment)].filter((d) => inB.has(d)));
  return [analyze(a.points, all, absent), analyze(b.points, all, absent)];
}

export function ratioRows(a: Analysis, b: Analysis): RatioRow[] {
  const names = new Map(b.series.map((s) => [s.key, s.name]));
  const bCells = new Map(b.cells.map((c) => [c.key, c]));
  const rows: RatioRow[] = [];
  for (const ca of a.cells) {
    const cb = bCells.get(ca.key);
    const ra = ca.requestsPerS?.mean;
    const rb = cb?.requestsPerS?.mean;
    if (cb && ra && rb !== undefined && ra > 0) {
      rows.push({ series: names.get(ca.seriesKey) ?? ca.seriesKey, threads: ca.threads, metric: 'requests/s', ratio: Number((rb / ra).toPrecision(4)) });
    }
  }
  return rows;
}

export async function renderComparison(a: ComparedRun, b: ComparedRun, outDir: string, libs: InlineLibrary[], generatedAt: Date): Promise<string> {
  const seriesNames = [...new Map([...a.analysis.series, ...b.analysis.series].sort((x, y) => compareSeries(x.params, y.params)).map((s) => [s.name, s.name])).keys()];
  const options = { runs: [a.label, b.label], series: seriesNames };
  const da = runDatasets(a.analysis, a.label);
  const db = runDatasets(b.analysis, b.label);
  const datasets = { cells: [...da.cells, ...db.cells], speedup: [...da.speedup, ...db.speedup], ratios: ratioRows(a.analysis, b.analysis) };
  const link = (run: ComparedRun, file: string) => html`<a href="${relative(outDir, join(run.run.dir, file)) || file}">${file}</a>`;
  const column = (run: ComparedRun) => html`<div>
<h3>${run.label}</h3>
<p class="subtitle">${run.run.dir} — ${run.analysis.points.length} points; ${link(run, 'points.jsonl')}, ${link(run, 'summary.csv')}, ${link(run, 'report.html')}</p>
${headlineParagraph(run.findings)}${findingsList(run.findings)}
${warningsList(run.run.warnings)}
</div>`;
  const top = html`<header>
<h1>speedlab comparison — ${a.label} vs ${b.label}</h1>
<p class="subtitle">Ratios are ${b.label} / ${a.label}. Generated ${generatedAt.toISOString()}.</p>
</header>
<section id="findings">
<h2>Findings</h2>
<div class="columns">${column(a)}${column(b)}</div>
</section>`;
  const bottom = html`<section id="ratios-section">
<h2>Every point, side by side</h2>
${cellComparisonTable(a, b)}
</section>
<section id="usl">
<h2>Universal Scalability Law fits</h2>
<div class="columns"><div><h3>${a.label}</h3>${uslTable(a.analysis)}</div><div><h3>${b.label}</h3>${uslTable(b.analysis)}</div></div>
</section>
<section id="environment">
<h2>Environment</h2>
${environmentComparison(a, b)}
</section>`;
  const anyOk = [...a.analysis.points, ...b.analysis.points].some((p) => p.outcome === 'ok');
  return renderPage({
    title: `speedlab comparison — ${a.label} vs ${b.label}`,
    top,
    charts: anyOk ? [...reportCharts(options), ratioChart(options)] : [],
    datasets,
    bottom,
    libs,
  });
}

function cellComparisonTable(a: ComparedRun, b: ComparedRun): Html {
  const names = new Map([...a.analysis.series, ...b.analysis.series].map((s) => [s.key, s]));
  const order = [...names.values()].sort((x, y) => compareSeries(x.params, y.params)).map((s) => s.key);
  const aCells = new Map(a.analysis.cells.map((c) => [c.key, c]));
  const bCells = new Map(b.analysis.cells.map((c) => [c.key, c]));
  const keys = [...new Set([...aCells.keys(), ...bCells.keys()])];
  const rank = new Map(order.map((k, i) => [k, i]));
  const cellOf = (k: string) => aCells.get(k) ?? bCells.get(k)!;
  keys.sort((x, y) => (rank.get(cellOf(x).seriesKey) ?? 0) - (rank.get(cellOf(y).seriesKey) ?? 0) || cellOf(x).threads - cellOf(y).threads);
  const ratio = (va: number | null | undefined, vb: number | null | undefined) => (va && vb !== undefined && vb !== null && va > 0 ? formatNumber(vb / va) : '–');
  const rows = keys.map((k): HtmlValue[] => {
    const ca = aCells.get(k);
    const cb = bCells.get(k);
    const c = cellOf(k);
    return [
      names.get(c.seriesKey)?.name ?? c.seriesKey,
      c.threads,
      formatNumber(ca?.requestsPerS?.mean, 4),
      formatNumber(cb?.requestsPerS?.mean, 4),
      html`<strong>${ratio(ca?.requestsPerS?.mean, cb?.requestsPerS?.mean)}</strong>`,
      formatNumber(ca?.speedup?.mean),
      formatNumber(cb?.speedup?.mean),
      formatMicros(ca?.p99Us),
      formatMicros(cb?.p99Us),
      ratio(ca?.p99Us, cb?.p99Us),
    ];
  });
  const [la, lb] = [a.label, b.label];
  return html`<div class="points-wrap">${table(['series', 'threads', `req/s ${la}`, `req/s ${lb}`, 'ratio', `speedup ${la}`, `speedup ${lb}`, `p99 ${la}`, `p99 ${lb}`, 'p99 ratio'], rows, 'compare')}</div>`;
}

function environmentComparison(a: ComparedRun, b: ComparedRun): Html {
  if (!a.run.info || !b.run.info) {
    const missing = [a, b].filter((r) => !r.run.info).map((r) => r.label).join(' and ');
    return html`<p class="warn">run.json is missing for ${missing}.</p>`;
  }
  const ra = environmentRows(a.run.info);
  const rb = environmentRows(b.run.info);
  const rows = ra.map(([name, value], i) => {
    const other = rb[i]?.[1] ?? '–';
    return [name, value, value !== other ? html`<strong>${other}</strong>` : other];
  });
  return table(['', a.label, b.label], rows);
}

export function defaultComparisonPath(dirA: string, dirB: string): string {
  return join(dirname(dirB), `compare-${basename(dirA)}-vs-${basename(dirB)}.html`);
}
