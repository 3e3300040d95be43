// The HTML shell: inlined libraries, one shared data block, and per chart a server-rendered SVG
// that the live vega-embed view replaces when JavaScript runs.
import type { ChartDef } from './charts.js';
import type { Datasets } from './chart-data.js';
import { compactSvg, escapeHtml, jsonForScript, prefixSvgIds } from './html.js';
import type { InlineLibrary } from './libs.js';
import { renderSvg } from './svg.js';

interface PageParts {
  title: string;
  /** already-escaped HTML placed before the charts */
  top: string;
  charts: ChartDef[];
  datasets: Datasets;
  /** already-escaped HTML placed after the charts */
  bottom: string;
  libs: InlineLibrary[];
}

export async function renderPage(parts: PageParts): Promise<string> {
  const figures = await Promise.all(parts.charts.map((chart) => figure(chart, parts.datasets)));
  const libs = parts.libs.map((lib) => `<script data-lib="${escapeHtml(lib.name)}" data-version="${escapeHtml(lib.version)}">${lib.source}</script>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(parts.title)}</title>
<style>${STYLE}</style>
</head>
<body>
${parts.top}
<section id="charts">
<h2>Charts</h2>
${figures.length > 0 ? figures.join('\n') : '<p class="bad">No chart: no point was measured successfully.</p>'}
</section>
${parts.bottom}
<script type="application/json" id="report-data">${jsonForScript(parts.datasets, true)}</script>
${libs}
<script>${BOOT}</script>
</body>
</html>
`;
}

async function figure(chart: ChartDef, datasets: Datasets): Promise<string> {
  let svg: string;
  try {
    svg = prefixSvgIds(compactSvg(await renderSvg(chart, datasets)), `static-${chart.id}`);
  } catch (err) {
    svg = `<p class="bad">This chart could not be rendered: ${escapeHtml((err as Error).message)}</p>`;
  }
  return `<figure class="chart" id="chart-${escapeHtml(chart.id)}" data-datasets="${escapeHtml(chart.datasets.join(' '))}">
<figcaption><strong>${escapeHtml(chart.title)}.</strong> ${escapeHtml(chart.caption)}</figcaption>
<div class="chart-static">${svg}</div>
<div class="chart-live"></div>
<script type="application/json" class="chart-spec">${jsonForScript(chart.spec)}</script>
</figure>`;
}

// vega's expression interpreter is not used: the CSP allows 'unsafe-eval' because vega compiles
// expressions with Function(); everything else, including any network access, is refused.
const BOOT = `(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var figures = Array.prototype.slice.call(document.querySelectorAll('figure.chart'));
  var done = figures.map(function (fig) {
    var spec = JSON.parse(fig.querySelector('script.chart-spec').textContent);
    spec.datasets = {};
    fig.getAttribute('data-datasets').split(' ').forEach(function (name) { spec.datasets[name] = data[name] || []; });
    return vegaEmbed(fig.querySelector('.chart-live'), spec, { renderer: 'svg', actions: false })
      .then(function () { fig.classList.add('live'); fig.setAttribute('data-rendered', 'live'); })
      .catch(function (err) { fig.setAttribute('data-rendered', 'static'); console.warn('chart ' + fig.id + ' kept its static rendering: ' + err); });
  });
  Promise.all(done).then(function () { document.body.setAttribute('data-charts', 'done'); });
})();`;

export const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; padding: 1rem 2rem 4rem; max-width: 1200px; color: #222; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: .2rem; margin-top: 2.2rem; }
.subtitle { color: #555; margin-top: 0; }
ul.findings { padding-left: 1.2rem; }
ul.findings li { margin: .25rem 0; }
.bad { color: #a40000; }
.warn { color: #8a5300; }
.ok { color: #1b6e1b; }
.numbers { color: #666; font-size: .85em; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: 12.5px; }
th, td { border: 1px solid #ddd; padding: 2px 6px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; position: sticky; top: 0; }
td.num, .num { text-align: right; font-variant-numeric: tabular-nums; }
tr.failed td { background: #fff0f0; }
figure.chart { margin: 1.5rem 0; }
figcaption { margin-bottom: .4rem; max-width: 900px; }
figure.chart.live .chart-static { display: none; }
.chart-static svg, .chart-live svg { max-width: 100%; height: auto; }
.columns { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5rem; }
pre { background: #f7f7f7; padding: .6rem; overflow: auto; max-height: 30rem; }
.points-wrap { max-height: 40rem; overflow: auto; }
`;
