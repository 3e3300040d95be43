// The HTML shell: inlined libraries, one shared data block, and per chart a server-rendered SVG
// that the live vega-embed view replaces when JavaScript runs.
import type { ChartDef } from './charts.js';
import type { Datasets } from './chart-data.js';
import { compactSvg, jsonScript, prefixSvgIds, scriptText } from './html.js';
import { html, joinHtml, raw, type Html } from './html-template.js';
import type { InlineLibrary } from './libs.js';
import { renderSvg } from './svg.js';

interface PageParts {
  title: string;
  /** placed before the charts */
  top: Html;
  charts: ChartDef[];
  datasets: Datasets;
  /** placed after the charts */
  bottom: Html;
  libs: InlineLibrary[];
}

export async function renderPage(parts: PageParts): Promise<string> {
  const figures = await Promise.all(parts.charts.map((chart) => figure(chart, parts.datasets)));
  const libs = joinHtml(parts.libs.map((lib) => html`<script data-lib="${lib.name}" data-version="${lib.version}">${lib.source}</script>`), '\n');
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:">
<title>${parts.title}</title>
<style>${STYLE}</style>
</head>
<body>
${parts.top}
<section id="charts">
<h2>Charts</h2>
${figures.length > 0 ? joinHtml(figures, '\n') : html`<p class="bad">No chart: no point was measured successfully.</p>`}
</section>
${parts.bottom}
<script type="application/json" id="report-data">${jsonScript(parts.datasets, true)}</script>
${libs}
<script>${scriptText(BOOT)}</script>
</body>
</html>
`.toString();
}

async function figure(chart: ChartDef, datasets: Datasets): Promise<Html> {
  let svg: Html;
  try {
    svg = raw(prefixSvgIds(compactSvg(await renderSvg(chart, datasets)), `static-${chart.id}`), "vega's SVG renderer escapes the text and attribute values it writes");
  } catch (err) {
    svg = html`<p class="bad">This chart could not be rendered: ${(err as Error).message}</p>`;
  }
  return html`<figure class="chart" id="chart-${chart.id}" data-datasets="${chart.datasets.join(' ')}">
<figcaption><strong>${chart.title}.</strong> ${chart.caption}</figcaption>
<div class="chart-static">${svg}</div>
<div class="chart-live"></div>
<script type="application/json" class="chart-spec">${jsonScript(chart.spec)}</script>
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

export const STYLE = raw(`
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
`, 'the constant stylesheet: its quotes are CSS, not text');
