// Reads a results directory (DESIGN §7) tolerantly: a crash mid-sweep can leave a truncated last
// line in points.jsonl, and records written by older versions may lack optional fields.
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { PointParams, PointRecord, RunInfo } from '../results/record.js';
import { ReportInputError } from './errors.js';

export interface LoadedRun {
  dir: string;
  /** run.json, when present and readable */
  info: RunInfo | null;
  /** RunInfo.name, or the directory's name without run.json */
  name: string;
  points: PointRecord[];
  /** problems found while reading, shown in the report */
  warnings: string[];
}

export async function loadRun(dir: string): Promise<LoadedRun> {
  const dirStat = await stat(dir).catch(() => null);
  if (!dirStat?.isDirectory()) throw new ReportInputError(`${dir} is not a results directory (it does not exist or is not a directory)`);
  const warnings: string[] = [];
  const info = await readRunInfo(join(dir, 'run.json'), warnings);
  const pointsPath = join(dir, 'points.jsonl');
  const text = await readFile(pointsPath, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new ReportInputError(`${pointsPath} does not exist: no point of this run was measured (is ${dir} a speedlab results directory?)`);
    throw new ReportInputError(`cannot read ${pointsPath}: ${err.message}`);
  });
  const points = parsePoints(text, warnings);
  const name = info && typeof info.name === 'string' && info.name ? info.name : basename(dir);
  return { dir, info, name, points, warnings };
}

/** run.json, or null with the reason in `warnings` */
export async function readRunInfo(path: string, warnings: string[]): Promise<RunInfo | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    warnings.push('run.json is missing: the environment of this run is unknown.');
    return null;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') return parsed as RunInfo;
    warnings.push('run.json does not hold a JSON object: the environment of this run is unknown.');
  } catch (err) {
    warnings.push(`run.json is not valid JSON (${(err as Error).message}): the environment of this run is unknown.`);
  }
  return null;
}

export function parsePoints(text: string, warnings: string[]): PointRecord[] {
  const points: PointRecord[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      warnings.push(`points.jsonl line ${index + 1} is not valid JSON and was skipped (a truncated write?).`);
      return;
    }
    const point = normalizePoint(value);
    if (point) points.push(point);
    else warnings.push(`points.jsonl line ${index + 1} has no usable params (threads, fileSize, log, lock, disk) and was skipped.`);
  });
  return points;
}

/** Fills defaults for missing fields so the rest of the report can rely on the record's shape. */
function normalizePoint(value: unknown): PointRecord | null {
  if (!value || typeof value !== 'object') return null;
  const raw = value as Partial<PointRecord> & Record<string, unknown>;
  const p = raw.params as Partial<PointParams> | undefined;
  if (!p || typeof p !== 'object') return null;
  if (!isPositive(p.threads) || typeof p.fileSize !== 'number' || typeof p.log !== 'string' || typeof p.lock !== 'string' || typeof p.disk !== 'string') return null;
  const params: PointParams = {
    threads: p.threads,
    fileSize: p.fileSize,
    log: p.log,
    lock: p.lock,
    logWrite: p.logWrite ?? 'reserved',
    sync: p.sync ?? 'none',
    disk: p.disk,
    mix: p.mix ?? 'put',
    connections: typeof p.connections === 'number' ? p.connections : 0,
    engine: p.engine === 'wrk' ? 'wrk' : 'autocannon',
    repetition: typeof p.repetition === 'number' ? p.repetition : 0,
  };
  const latency = (raw.latencyUs ?? {}) as Partial<PointRecord['latencyUs']>;
  const verification = (raw.verification ?? {}) as Partial<PointRecord['verification']>;
  const point: PointRecord = {
    id: typeof raw.id === 'string' ? raw.id : '',
    params,
    outcome: raw.outcome === 'ok' ? 'ok' : 'failed',
    startedAt: str(raw.startedAt),
    finishedAt: str(raw.finishedAt),
    durationS: num(raw.durationS),
    requests: num(raw.requests),
    requestsPerS: num(raw.requestsPerS),
    bytesPerS: num(raw.bytesPerS),
    latencyUs: {
      p50: num(latency.p50), p90: num(latency.p90), p99: num(latency.p99),
      p999: num(latency.p999), max: num(latency.max), mean: num(latency.mean),
    },
    statusCounts: raw.statusCounts && typeof raw.statusCounts === 'object' ? raw.statusCounts : {},
    errors: num(raw.errors, 0),
    timeouts: num(raw.timeouts, 0),
    serverCpuCores: num(raw.serverCpuCores),
    serverCpus: num(raw.serverCpus),
    deviceReadBytes: num(raw.deviceReadBytes),
    deviceWriteBytes: num(raw.deviceWriteBytes),
    logBytes: num(raw.logBytes),
    loadgenCpuCores: num(raw.loadgenCpuCores),
    loadgenBound: raw.loadgenBound === true,
    verification: { checked: num(verification.checked, 0), mismatches: num(verification.mismatches, 0) },
  };
  if (typeof raw.failure === 'string') point.failure = raw.failure;
  if (typeof verification.detail === 'string') point.verification.detail = verification.detail;
  if (typeof raw.serverMemPeakBytes === 'number') point.serverMemPeakBytes = raw.serverMemPeakBytes;
  if (raw.diskLimits && typeof raw.diskLimits === 'object') point.diskLimits = raw.diskLimits;
  if (typeof raw.hostWriteBytes === 'number') point.hostWriteBytes = raw.hostWriteBytes;
  if (typeof raw.loadgenCeilingShare === 'number') point.loadgenCeilingShare = raw.loadgenCeilingShare;
  const host = raw.hostDeviceWrite as Partial<NonNullable<PointRecord['hostDeviceWrite']>> | undefined;
  if (host && typeof host.device === 'string' && typeof host.bytes === 'number') point.hostDeviceWrite = { device: host.device, bytes: host.bytes };
  return point;
}

function isPositive(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0;
}

/** A missing number becomes NaN (unknown), never 0, so it cannot pass for a measurement. */
function num(v: unknown, fallback = NaN): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
