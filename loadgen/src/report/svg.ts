// Server-side SVG of a Vega-Lite spec (DESIGN §8, verified): the report reads without JavaScript.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ChartDef } from './charts.js';
import type { Datasets } from './chart-data.js';

function specWithData(chart: ChartDef, datasets: Datasets): TopLevelSpec {
  const data: Record<string, object[]> = {};
  for (const name of chart.datasets) data[name] = datasets[name] ?? [];
  return { ...chart.spec, datasets: data };
}

export async function renderSvg(chart: ChartDef, datasets: Datasets): Promise<string> {
  const compiled = compile(specWithData(chart, datasets)).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
