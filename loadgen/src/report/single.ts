// The report of one run.
import type { Analysis } from '../analysis/analyze.js';
import type { Finding } from '../analysis/findings.js';
import { cellRows, speedupRows, type Datasets } from './chart-data.js';
import { reportCharts } from './charts.js';
import { html } from './html-template.js';
import type { InlineLibrary } from './libs.js';
import type { LoadedRun } from './load-run.js';
import { renderPage } from './page.js';
import { threadRows, threadsChart, threadsSection } from './threads-section.js';
import { environmentSection, findingsList, headlineParagraph, pointsTable, uslTable, warningsList } from './sections.js';

interface SingleReportInput {
  run: LoadedRun;
  analysis: Analysis;
  findings: Finding[];
  libs: InlineLibrary[];
  generatedAt: Date;
}

export function runDatasets(analysis: Analysis, run: string): Datasets {
  const threads = threadRows(analysis, run);
  return { cells: cellRows(analysis, run), speedup: speedupRows(analysis, run), ...(threads.length > 0 && { threads }) };
}

export async function renderSingleReport(input: SingleReportInput): Promise<string> {
  const { run, analysis, findings } = input;
  const ok = analysis.points.filter((p) => p.outcome === 'ok').length;
  const failed = analysis.points.length - ok;
  const info = run.info;
  const top = html`<header>
<h1>speedlab report — ${run.name}</h1>
<p class="subtitle">${analysis.points.length} points (${ok} ok, ${failed} failed) in ${analysis.series.length} series${info?.runtime ? html`, ${info.runtime} runtime` : ''}${info?.startedAt ? html`, started ${info.startedAt}` : ''}. Generated ${input.generatedAt.toISOString()}.
Data: <a href="points.jsonl">points.jsonl</a> (every point), <a href="summary.csv">summary.csv</a> (one row per point without repetitions), <a href="run.json">run.json</a>.</p>
</header>
<section id="findings">
<h2>Findings</h2>
${headlineParagraph(findings)}${findingsList(findings)}
${warningsList(run.warnings)}
</section>`;
  const sampled = threadsSection(analysis);
  const threadsPart = sampled ? html`<section id="threads">
<h2>Where the threads were</h2>
<p>The thread-state sampler looked at every thread of the server during each measured window. Per series, its worst point (the most threads, the slowest repetition), one row per thread, the busiest first.</p>
${sampled}
</section>
` : '';
  const bottom = html`${threadsPart}<section id="usl">
<h2>Universal Scalability Law fits</h2>
<p>Least squares on X(N) = λN / (1 + σ(N−1) + κN(N−1)) over every successful repetition of a series, N = threads, X = requests/s. σ: contention (serialisation), κ: coherency (crosstalk); the peak is at N = √((1−σ)/κ).</p>
${uslTable(analysis)}
</section>
<section id="environment">
<h2>Environment</h2>
${environmentSection(info)}
</section>
<section id="points-section">
<h2>Every point</h2>
${pointsTable(analysis, info?.engine?.cgroupVersion ?? info?.host?.cgroupVersion)}
</section>`;
  const options = { runs: [run.name], series: analysis.series.map((s) => s.name) };
  return renderPage({
    title: `speedlab report — ${run.name}`,
    top,
    charts: analysis.points.some((p) => p.outcome === 'ok') ? [...reportCharts(options), ...(sampled ? [threadsChart(options.series)] : [])] : [],
    datasets: runDatasets(analysis, run.name),
    bottom,
    libs: input.libs,
  });
}
