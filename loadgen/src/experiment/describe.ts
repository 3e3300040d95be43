// Words for parameters, used by plan, the progress line, the terminal table and the expectations.
import type { CellParams } from '../results/identity.js';
import type { PointParams } from '../results/record.js';
import { formatBytes } from './units.js';
import type { Experiment } from './experiment.js';
import type { SweepKey } from './schema.js';

export function paramText(key: SweepKey | 'repetition', value: unknown): string {
  return key === 'fileSize' ? formatBytes(value as number) : String(value);
}

/** the swept parameters (other than threads) of a series, in words */
export function seriesText(exp: Experiment, p: CellParams): string {
  const parts = exp.sweep.filter((s) => s.key !== 'threads').map((s) => `${s.key}=${paramText(s.key, p[s.key])}`);
  return parts.join(' ') || 'all points';
}

/** the swept parameters of a point, e.g. "threads=2 log=full" */
export function sweptText(exp: Experiment, p: PointParams): string {
  const parts = exp.sweep.map(({ key }) => `${key}=${paramText(key, p[key])}`);
  if (exp.workload.repetitions > 1) parts.push(`rep=${p.repetition + 1}/${exp.workload.repetitions}`);
  return parts.join(' ') || 'single point';
}

export function serverText(exp: Experiment): string {
  const impl = exp.server.impl;
  if (impl.kind === 'reference') {
    const { ioDelayMs, logDelayMs } = exp.server;
    const delay = (ioDelayMs > 0 ? `, io-delay=${ioDelayMs}ms (a modelled device time per request)` : '')
      + (logDelayMs > 0 ? `, log-delay=${logDelayMs}ms (a modelled log-device time per entry)` : '');
    return `reference (lock=${exp.fixed.lock}, logWrite=${exp.fixed.logWrite}, sync=${exp.fixed.sync}${delay})`;
  }
  return impl.kind === 'image' ? `image ${impl.image}: ${impl.command.join(' ')}` : `command: ${impl.command.join(' ')}`;
}

export function workloadText(exp: Experiment): string {
  const w = exp.workload;
  const f = exp.fixed;
  const files = w.files.kind === 'shared' ? `shared:${w.files.count}` : `distinct (${w.files.perConnection} per connection)`;
  const swept = new Set(exp.sweep.map((s) => s.key));
  const v = (k: SweepKey, text: string) => (swept.has(k) ? `${k} swept` : text);
  const ratio = Object.entries(w.ratio).filter(([, v]) => v > 0).map(([k, v]) => `${k}:${v}`).join(' ');
  return [
    v('mix', `mix ${f.mix}`) + (ratio ? ` (${ratio})` : ''),
    `files ${files}`,
    v('fileSize', `fileSize ${formatBytes(f.fileSize)}`),
    v('connections', `${f.connections} connections`),
    v('engine', `load by ${f.engine}`),
    `warm-up ${w.warmupS}s`,
    `measure ${w.durationS}s`,
    `${w.repetitions} repetition${w.repetitions > 1 ? 's' : ''}`,
  ].join(', ');
}
