// speedlab calibrate [--disk NAME]: what a disk profile really delivers, beside its limits.
import { CliError } from '../errors.js';
import { resolveDisk } from '../disk/presets.js';
import type { Calibration } from '../results/record.js';
import { removeRun, removeStale } from '../runtime/docker/cleanup.js';
import { splitCpus } from '../runtime/docker/containers/cpus.js';
import { calibrateDisk } from '../runtime/docker/disk/calibrate.js';
import { connectEngine } from '../runtime/docker/engine/engine.js';
import { CALIBRATE } from './definitions.js';

const MB = 1e6;
const MiB = 1024 ** 2;

function cell(v: number | undefined): string {
  return v === undefined ? '-' : v.toFixed(1);
}

function limitMiB(bps: number | undefined): string {
  return bps === undefined ? '-' : (bps / MiB).toFixed(1);
}

export function formatCalibration(rows: Calibration[]): string {
  const head = ['disk', 'direct', 'buffered', 'fsync', 'read', 'direct read', 'write limit', 'read limit'];
  const body = rows.map((c) => [
    c.disk,
    cell(c.directWriteMiBps),
    cell(c.bufferedWriteMiBps),
    cell(c.fsyncWriteMiBps),
    cell(c.readMiBps),
    cell(c.directReadMiBps),
    limitMiB(c.limits?.writeBps),
    limitMiB(c.limits?.readBps),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  return [line(head), ...body.map(line), '(MiB/s; buffered writes without fsync escape a cgroup v1 limit)'].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const values = CALIBRATE.parse(argv)?.values;
  if (!values) return 0;
  const names = values.disk.length ? values.disk : ['hdd', 'sata-ssd', 'sd-card'];
  let profiles;
  try {
    profiles = names.map((n) => resolveDisk(n));
  } catch (err) {
    throw CALIBRATE.fail((err as Error).message, false, { cause: err });
  }
  const mib = values.mib === undefined ? undefined : Number(values.mib);
  if (mib !== undefined && !(Number.isInteger(mib) && mib > 0)) throw CALIBRATE.fail(`--mib: got '${values.mib}'; expected a whole number above 0`);
  const docker = await connectEngine().catch((err: Error) => {
    throw new CliError(err.message, 1, { cause: err });
  });
  const cpus = splitCpus((await docker.info()).cpus);
  const runId = `calibrate-${process.pid}-${Date.now().toString(36)}`;
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  const rows: Calibration[] = [];
  try {
    await removeStale(docker, runId);
    for (const p of profiles) {
      console.error(`calibrating ${p.name} (${p.kind}${p.writeBps ? `, write limit ${(p.writeBps / MB).toFixed(0)} MB/s` : ''})...`);
      rows.push(await calibrateDisk(docker, p, { runId, cpuset: cpus.server, mib, signal: abort.signal }));
    }
  } catch (err) {
    throw new CliError(abort.signal.aborted ? 'calibrate: interrupted' : (err as Error).message, 1, { cause: err });
  } finally {
    process.removeListener('SIGINT', onSignal);
    await removeRun(docker, runId);
  }
  console.log(values.json ? JSON.stringify(rows) : formatCalibration(rows));
  return 0;
}
