// Vega-Lite specs of the report's charts. Data comes from named datasets (chart-data.ts), so
// the page carries each row once, whatever the number of charts that read it.
import type { TopLevelSpec } from 'vega-lite';
import type { Datasets } from './chart-data.js';

// The parts of a spec, from vega-lite's one public spec type: a layer (a unit or a nested
// layer), a unit's encoding, and its channels.
type LayerTop = Extract<TopLevelSpec, { layer: unknown }>;
type Layer = LayerTop['layer'][number];
type Encoding = NonNullable<Exclude<Layer, { layer: unknown }>['encoding']>;
type TooltipField = Extract<NonNullable<Encoding['tooltip']>, readonly unknown[]>[number];

export interface ChartDef {
  id: string;
  title: string;
  caption: string;
  datasets: Array<keyof Datasets>;
  spec: TopLevelSpec;
}

interface ChartOptions {
  /** the run labels; two in a comparison */
  runs: string[];
  /** series names in display order, for stable colors */
  series: string[];
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const WIDTH = 520;
const HEIGHT = 280;

const threadsX = (tickCount = 8): NonNullable<Encoding['x']> => ({ field: 'threads', type: 'quantitative', title: 'threads', scale: { type: 'log', base: 2 }, axis: { tickCount } });

/**
 * A linear axis' labels: d3's precision for the tick step with the trailing zeros dropped, so 0
 * reads "0" (vega's default wrote "0.000000" when every value was 0, as a RAM disk's device
 * rate), 0.2 "0.2" (not "0.20"), 1500 "1,500", 0.00002 "0.00002".
 */
export const LINEAR_AXIS = { format: ',~f' };

function seriesColor(options: ChartOptions): NonNullable<Encoding['color']> {
  return {
    field: 'series', type: 'nominal', title: 'series',
    scale: { domain: options.series, scheme: options.series.length > 10 ? 'category20' : 'tableau10' },
    legend: { orient: 'bottom', columns: 2, labelLimit: 360 },
  };
}

function tooltip(fields: Array<[string, string, string?]>): TooltipField[] {
  return fields.map(([field, title, format]): TooltipField => ({ field, title, type: field === 'series' || field === 'run' ? 'nominal' : 'quantitative', ...(format ? { format } : {}) }));
}

/** One chart of the cells dataset; in a comparison one panel per run, side by side. */
function cellsChart(options: ChartOptions, layers: Layer[], height = HEIGHT): TopLevelSpec {
  const compare = options.runs.length > 1;
  const inner = { width: compare ? Math.round(WIDTH * 0.62) : WIDTH, height, layer: layers };
  const top = { $schema: SCHEMA, data: { name: 'cells' }, config: { view: { stroke: '#ddd' } } };
  if (!compare) return { ...top, ...inner };
  return { ...top, facet: { column: { field: 'run', type: 'nominal', title: null, sort: options.runs } }, spec: inner };
}

/** Mean as line and points, ± one standard deviation as rules where there are repetitions. */
function meanWithBars(options: ChartOptions, y: string, lo: string, hi: string, yTitle: string, extraTooltip: Array<[string, string, string?]> = []): Layer[] {
  const color = seriesColor(options);
  return [
    {
      transform: [{ filter: `isValid(datum.${lo}) && isValid(datum.${hi})` }],
      mark: { type: 'rule', strokeWidth: 1.5, opacity: 0.7 },
      encoding: { x: threadsX(), y: { field: lo, type: 'quantitative', title: yTitle, axis: LINEAR_AXIS }, y2: { field: hi }, color },
    },
    {
      transform: [{ filter: `isValid(datum.${y})` }],
      mark: { type: 'line', point: true },
      encoding: {
        x: threadsX(),
        y: { field: y, type: 'quantitative', title: yTitle, axis: LINEAR_AXIS },
        color,
        tooltip: tooltip([['series', 'series'], ['run', 'run'], ['threads', 'threads'], [y, yTitle, ',.4~g'], ['n', 'repetitions'], ...extraTooltip]),
      },
    },
  ];
}

function speedupChart(options: ChartOptions): ChartDef {
  const compare = options.runs.length > 1;
  const runColor: NonNullable<Encoding['color']> = compare
    ? { field: 'run', type: 'nominal', title: 'run', scale: { domain: options.runs }, legend: { orient: 'top' } }
    : { value: '#4c78a8' };
  const x = threadsX(5);
  const spec: TopLevelSpec = {
    $schema: SCHEMA,
    data: { name: 'speedup' },
    config: { view: { stroke: '#ddd' } },
    facet: { field: 'series', type: 'nominal', title: null, sort: options.series, header: { labelLimit: 230, labelFontSize: 11 } },
    columns: 3,
    spec: {
      width: 200,
      height: 150,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'ideal'" }],
          mark: { type: 'line', color: '#999', strokeDash: [4, 4] },
          encoding: { x, y: { field: 'speedup', type: 'quantitative', title: 'speedup (×)', axis: LINEAR_AXIS }, detail: { field: 'run' } },
        },
        {
          transform: [{ filter: "datum.kind === 'USL fit'" }],
          mark: { type: 'line', strokeWidth: 1.5, opacity: 0.8 },
          encoding: { x, y: { field: 'speedup', type: 'quantitative', axis: LINEAR_AXIS }, color: runColor },
        },
        {
          transform: [{ filter: "datum.kind === 'measured' && isValid(datum.lo)" }],
          mark: { type: 'rule' },
          encoding: { x, y: { field: 'lo', type: 'quantitative', axis: LINEAR_AXIS }, y2: { field: 'hi' }, color: runColor },
        },
        {
          transform: [{ filter: "datum.kind === 'measured'" }],
          mark: { type: 'point', filled: true, size: 40 },
          encoding: {
            x, y: { field: 'speedup', type: 'quantitative', axis: LINEAR_AXIS }, color: runColor,
            tooltip: tooltip([['series', 'series'], ['run', 'run'], ['threads', 'threads'], ['speedup', 'speedup', '.3~f'], ['lo', '−1 sd', '.3~f'], ['hi', '+1 sd', '.3~f']]),
          },
        },
      ],
    },
  };
  return {
    id: 'speedup',
    title: 'Speedup vs threads',
    caption: 'Requests/s relative to the same series at 1 thread. Dots: measured mean (bars: ± one standard deviation across repetitions); dashed grey: ideal (linear) speedup; solid line: the Universal Scalability Law fit.',
    datasets: ['speedup'],
    spec,
  };
}

function throughputChart(options: ChartOptions): ChartDef {
  return {
    id: 'throughput-rps', title: 'Throughput (requests/s)',
    caption: 'Mean requests per second; bars show ± one standard deviation across repetitions.',
    datasets: ['cells'],
    spec: cellsChart(options, meanWithBars(options, 'rps', 'rpsLo', 'rpsHi', 'requests/s')),
  };
}

function bandwidthChart(options: ChartOptions): ChartDef {
  return {
    id: 'throughput-mbps', title: 'Throughput (MB/s)',
    caption: 'Content bytes moved per second (request and response bodies), in MB/s (10⁶ bytes).',
    datasets: ['cells'],
    spec: cellsChart(options, meanWithBars(options, 'mbps', 'mbpsLo', 'mbpsHi', 'MB/s')),
  };
}

function latencyChart(options: ChartOptions): ChartDef {
  const layer: Layer = {
    transform: [
      { fold: ['p50ms', 'p99ms'], as: ['percentile', 'ms'] },
      { filter: 'isValid(datum.ms) && datum.ms > 0' },
      { calculate: "datum.percentile === 'p50ms' ? 'p50' : 'p99'", as: 'percentile' },
    ],
    mark: { type: 'line', point: true },
    encoding: {
      x: threadsX(),
      y: { field: 'ms', type: 'quantitative', title: 'latency (ms)', scale: { type: 'log' } },
      color: seriesColor(options),
      strokeDash: { field: 'percentile', type: 'nominal', title: 'percentile', scale: { domain: ['p50', 'p99'], range: [[1, 0], [5, 3]] } },
      tooltip: tooltip([['series', 'series'], ['run', 'run'], ['threads', 'threads'], ['ms', 'latency (ms)', ',.4~g']]).concat([{ field: 'percentile', type: 'nominal', title: 'percentile' }]),
    },
  };
  return {
    id: 'latency', title: 'Latency p50 and p99',
    caption: 'Median (solid) and 99th percentile (dashed) response latency, mean across repetitions, log scale.',
    datasets: ['cells'],
    spec: cellsChart(options, [layer]),
  };
}

function deviceWriteChart(options: ChartOptions): ChartDef {
  const layers: Layer[] = [
    {
      transform: [{ filter: 'isValid(datum.writeMBps)' }],
      mark: { type: 'line', point: true },
      encoding: {
        x: threadsX(),
        y: { field: 'writeMBps', type: 'quantitative', title: 'device writes (MB/s)', axis: LINEAR_AXIS },
        color: seriesColor(options),
        tooltip: tooltip([['series', 'series'], ['run', 'run'], ['threads', 'threads'], ['writeMBps', 'device writes (MB/s)', ',.4~g'], ['limitMBps', 'limit (MB/s)', ',.4~g']]),
      },
    },
    {
      transform: [
        { filter: 'isValid(datum.limitMBps)' },
        { aggregate: [{ op: 'max', field: 'limitMBps', as: 'limit' }], groupby: ['disk'] },
      ],
      layer: [
        { mark: { type: 'rule', color: '#d62728', strokeDash: [6, 3] }, encoding: { y: { field: 'limit', type: 'quantitative', axis: LINEAR_AXIS } } },
        {
          mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: '#d62728', fontSize: 10 },
          encoding: { y: { field: 'limit', type: 'quantitative' }, x: { value: 0 }, text: { field: 'disk', type: 'nominal' } },
        },
      ],
    },
  ];
  return {
    id: 'device-writes', title: 'Device write rate vs the disk limit',
    caption: 'Bytes written per second on the device backing the data directory. Red dashed lines: the write limit of each throttled disk profile (labelled with its name); RAM disks have none.',
    datasets: ['cells'],
    spec: cellsChart(options, layers),
  };
}

function cpuChart(options: ChartOptions): ChartDef {
  const layer: Layer = {
    transform: [
      { fold: ['serverCpu', 'loadgenCpu'], as: ['process', 'cores'] },
      { filter: 'isValid(datum.cores)' },
      { calculate: "datum.process === 'serverCpu' ? 'server' : 'loadgen'", as: 'process' },
    ],
    mark: { type: 'line', point: true },
    encoding: {
      x: threadsX(),
      y: { field: 'cores', type: 'quantitative', title: 'CPU (cores)', axis: LINEAR_AXIS },
      color: seriesColor(options),
      strokeDash: { field: 'process', type: 'nominal', title: 'process', scale: { domain: ['server', 'loadgen'], range: [[1, 0], [5, 3]] } },
      tooltip: tooltip([['series', 'series'], ['run', 'run'], ['threads', 'threads'], ['cores', 'cores', '.3~f'], ['serverCpus', 'server CPUs']]).concat([{ field: 'process', type: 'nominal', title: 'process' }]),
    },
  };
  return {
    id: 'cpu', title: 'Server and load generator CPU',
    caption: 'Average CPU use in cores (1 = one core busy): server solid, load generator dashed. A load generator near 1 core is the bottleneck, not the server.',
    datasets: ['cells'],
    spec: cellsChart(options, [layer]),
  };
}

function errorsChart(options: ChartOptions): ChartDef {
  const layer: Layer = {
    mark: { type: 'line', point: true },
    encoding: {
      x: threadsX(),
      y: { field: 'errors', type: 'quantitative', title: 'errors (all repetitions)', axis: LINEAR_AXIS },
      color: seriesColor(options),
      tooltip: tooltip([['series', 'series'], ['run', 'run'], ['threads', 'threads'], ['errors', 'errors'], ['failed', 'failed points']]),
    },
  };
  return {
    id: 'errors', title: 'Errors',
    caption: 'Connection errors, timeouts and 4xx/5xx responses, summed over the repetitions of each point.',
    datasets: ['cells'],
    spec: cellsChart(options, [layer], 200),
  };
}

export function ratioChart(options: ChartOptions): ChartDef {
  const [a = 'A', b = 'B'] = options.runs;
  return {
    id: 'ratios', title: `Ratio ${b} / ${a}`,
    caption: `Mean requests/s of ${b} divided by that of ${a} for every point present in both runs; above 1, ${b} is faster.`,
    datasets: ['ratios'],
    spec: {
      $schema: SCHEMA,
      data: { name: 'ratios' },
      width: WIDTH,
      height: HEIGHT,
      layer: [
        { mark: { type: 'rule', color: '#999', strokeDash: [4, 4] }, encoding: { y: { datum: 1, axis: LINEAR_AXIS } } },
        {
          mark: { type: 'line', point: true },
          encoding: {
            x: threadsX(),
            y: { field: 'ratio', type: 'quantitative', title: `requests/s ratio (${b} / ${a})`, axis: LINEAR_AXIS },
            color: seriesColor(options),
            tooltip: tooltip([['series', 'series'], ['threads', 'threads'], ['ratio', 'ratio', '.3~f']]),
          },
        },
      ],
    },
  };
}

export function reportCharts(options: ChartOptions): ChartDef[] {
  return [speedupChart(options), throughputChart(options), bandwidthChart(options), latencyChart(options), deviceWriteChart(options), cpuChart(options), errorsChart(options)];
}
