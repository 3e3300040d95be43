// Where the server's threads spent the windows (issue 21): a chart per series of the mean number
// of threads in each class by thread count, and for each series' worst point a table per thread.
import type { Analysis } from '../analysis/analyze.js';
import { formatNumber, formatPercent } from '../analysis/format.js';
import { okPoints, seriesKey } from '../analysis/group.js';
import type { PointRecord, ThreadStates } from '../results/record.js';
import { LINEAR_AXIS, type ChartDef } from './charts.js';
import { table } from './html.js';
import { html, joinHtml, type Html } from './html-template.js';

/** the classes in stacking order, with their labels */
const THREAD_CLASS_LABELS = [
  ['onCpu', 'on CPU'],
  ['cpuWait', 'waiting for a CPU'],
  ['lock', 'lock'],
  ['disk', 'disk'],
  ['network', 'network/idle'],
  ['other', 'other'],
] as const;

export interface ThreadRow {
  run: string;
  series: string;
  threads: number;
  class: string;
  order: number;
  /** mean number of the server's threads in this class */
  meanThreads: number;
}

export function threadRows(analysis: Analysis, run: string): ThreadRow[] {
  const rows: ThreadRow[] = [];
  for (const s of analysis.series) {
    for (const c of s.cells) {
      const ev = c.threadEvidence;
      if (!ev) continue;
      THREAD_CLASS_LABELS.forEach(([key, label], order) => {
        rows.push({ run, series: s.name, threads: c.threads, class: label, order, meanThreads: Number(ev.classes[key].toFixed(3)) });
      });
    }
  }
  return rows;
}

export function threadsChart(series: readonly string[]): ChartDef {
  return {
    id: 'threads', title: 'Where the server\'s threads were',
    caption: 'From the thread-state sampler: the mean number of the server\'s threads in each state over the measured window, per thread count (-N), one panel per series. Lock: in a futex wait (mutex, condition variable) while it had work; network/idle: in epoll/poll/accept/recv, or a thread that never ran; other: a sleep (e.g. a modelled device delay), a pipe.',
    datasets: ['threads'],
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { name: 'threads' },
      facet: { row: { field: 'series', type: 'nominal', title: null, sort: [...series], header: { labelAngle: 0, labelAlign: 'left', labelLimit: 360 } } },
      spec: {
        width: 520, height: 140,
        mark: { type: 'bar' },
        encoding: {
          x: { field: 'threads', type: 'ordinal', title: 'threads' },
          y: { field: 'meanThreads', type: 'quantitative', title: 'threads (mean)', stack: 'zero', axis: LINEAR_AXIS },
          color: { field: 'class', type: 'nominal', title: 'state', scale: { domain: THREAD_CLASS_LABELS.map(([, l]) => l), scheme: 'tableau10' }, legend: { orient: 'bottom' } },
          order: { field: 'order', type: 'quantitative' },
          tooltip: [{ field: 'series', type: 'nominal' }, { field: 'threads', type: 'ordinal' }, { field: 'class', type: 'nominal', title: 'state' }, { field: 'meanThreads', type: 'quantitative', title: 'threads (mean)', format: '.3~f' }],
        },
      },
    },
  };
}

/** a series' worst sampled point: at its most threads, the slowest repetition */
function worstPoint(points: readonly PointRecord[]): (PointRecord & { threadStates: ThreadStates }) | undefined {
  const sampled = points.filter((p): p is PointRecord & { threadStates: ThreadStates } => p.threadStates?.threads !== undefined);
  const most = Math.max(...sampled.map((p) => p.params.threads));
  return sampled.filter((p) => p.params.threads === most).sort((a, b) => a.requestsPerS - b.requestsPerS)[0];
}

const SHOWN_THREADS = 24;

function perThreadTable(p: PointRecord & { threadStates: ThreadStates }): Html {
  const s = p.threadStates;
  const threads = [...(s.threads ?? [])].sort((a, b) => b.cpuS - a.cpuS);
  const pct = (x: number) => html`<span class="num">${formatPercent(x)}</span>`;
  const rows = threads.slice(0, SHOWN_THREADS).map((t) => [
    t.tid, t.name, t.role, html`<span class="num">${formatNumber(t.cpuS / s.windowS)}</span>`, html`<span class="num">${formatNumber(t.cpuWaitS, 3)}</span>`,
    pct(t.shares.onCpu), pct(t.shares.cpuWait), pct(t.shares.lock), pct(t.shares.disk), pct(t.shares.network), pct(t.shares.other),
    [t.futex && `futex ${t.futex}`, t.where].filter(Boolean).join('; '),
  ]);
  const more = threads.length > SHOWN_THREADS ? html`<p>${threads.length - SHOWN_THREADS} more threads, all in points.jsonl.</p>` : '';
  return html`${table(['tid', 'name', 'role', 'cores', 'CPU wait (s)', 'on CPU', 'wait CPU', 'lock', 'disk', 'network/idle', 'other', 'waited in'], rows)}${more}`;
}

/** where the sampler ran: off the server's CPUs when there was a split */
function samplerWhere(s: { samplerCpus?: string | undefined; samplerPinProblem?: string | undefined }): Html {
  if (s.samplerCpus) return html` (taken from the load generator's CPUs ${s.samplerCpus}, not the server's)`;
  if (s.samplerPinProblem) return html` (taken on any CPU: ${s.samplerPinProblem})`;
  return html``;
}

/** per series with thread samples, its worst point; null when no series has any */
export function threadsSection(analysis: Analysis): Html | null {
  const parts: Html[] = [];
  for (const series of analysis.series) {
    const points = okPoints(analysis.points).filter((p) => seriesKey(p.params) === series.key);
    const worst = worstPoint(points);
    if (!worst) continue;
    const s = worst.threadStates;
    const busiest = [...(s.threads ?? [])].sort((a, b) => b.cpuS - a.cpuS)[0];
    const futex = s.hottestFutex ? html`the hottest futex ${s.hottestFutex.address} (process ${s.hottestFutex.pid}) had ${formatNumber(s.hottestFutex.meanWaiters)} waiters on average, ${s.hottestFutex.threads} threads waited there` : 'no thread that ran waited on a futex';
    const busy = busiest ? html`the busiest thread, ${busiest.name} (tid ${busiest.tid}, ${busiest.role}), was on a CPU ${formatPercent(busiest.cpuS / s.windowS)} of the window` : '';
    parts.push(html`<h3>${series.name} — ${worst.params.threads} threads, repetition ${worst.params.repetition} (${formatNumber(worst.requestsPerS)} req/s)</h3>
<p>${s.ticks} samples at ${s.hz} Hz over ${formatNumber(s.windowS)} s${samplerWhere(s)}: ${busy}; ${futex}.</p>
${perThreadTable(worst)}`);
  }
  return parts.length > 0 ? joinHtml(parts, '\n') : null;
}
