// Hand-made, realistic results with known answers: throughput follows a chosen USL curve, and the
// disk, CPU and loadgen figures are set so each findings rule has a series that must trigger it.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PointParams, PointRecord, RunInfo } from '../../src/results/record.js';

export const MiB = 1024 * 1024;

const BASE_PARAMS: PointParams = {
  threads: 1, fileSize: 4096, log: 'off', lock: 'file', logWrite: 'reserved', sync: 'none',
  disk: 'ram', mix: 'put', connections: 32, engine: 'autocannon', repetition: 0,
};

export function point(params: Partial<PointParams>, fields: Partial<PointRecord> = {}): PointRecord {
  const p = { ...BASE_PARAMS, ...params };
  const rps = fields.requestsPerS ?? 1000;
  const durationS = fields.durationS ?? 10;
  return {
    id: `${p.log}-${p.lock}-${p.fileSize}-${p.disk}-${p.threads}-${p.repetition}`,
    params: p,
    outcome: 'ok',
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:00:12.000Z',
    durationS,
    requests: Math.round(rps * durationS),
    requestsPerS: rps,
    bytesPerS: rps * p.fileSize,
    latencyUs: { p50: 800, p90: 1500, p99: 3000, p999: 5000, max: 9000, mean: 900 },
    statusCounts: { '201': Math.round(rps * durationS) },
    errors: 0,
    timeouts: 0,
    serverCpuCores: 0.5,
    serverCpus: 4,
    deviceReadBytes: 0,
    deviceWriteBytes: 0,
    logBytes: 0,
    loadgenCpuCores: 0.4,
    loadgenBound: false,
    verification: { checked: 20, mismatches: 0 },
    ...fields,
  };
}

/** Deterministic noise in [−1, 1]. */
function noise(seed: number): number {
  const x = Math.sin(seed * 12.9898) * 43758.5453;
  return 2 * (x - Math.floor(x)) - 1;
}

export interface SeriesSpec {
  params: Partial<PointParams>;
  threads?: number[];
  repetitions?: number;
  /** USL coefficients of the true throughput curve */
  sigma: number;
  kappa: number;
  lambda: number;
  /** relative amplitude of the repetition-to-repetition noise */
  jitter?: number;
  /** extra fields per point, from its threads and requests/s */
  extra?: (threads: number, rps: number) => Partial<PointRecord>;
}

export function uslRate(sigma: number, kappa: number, lambda: number, n: number): number {
  return (lambda * n) / (1 + sigma * (n - 1) + kappa * n * (n - 1));
}

export function series(spec: SeriesSpec, seed = 1): PointRecord[] {
  const points: PointRecord[] = [];
  const threads = spec.threads ?? [1, 2, 4, 8, 16];
  const repetitions = spec.repetitions ?? 3;
  threads.forEach((t, i) => {
    for (let r = 0; r < repetitions; r++) {
      const rps = uslRate(spec.sigma, spec.kappa, spec.lambda, t) * (1 + (spec.jitter ?? 0.01) * noise(seed * 1000 + i * 10 + r));
      points.push(point({ ...spec.params, threads: t, repetition: r }, { requestsPerS: rps, ...spec.extra?.(t, rps) }));
    }
  });
  return points;
}

export function runInfo(overrides: Partial<RunInfo> = {}): RunInfo {
  return {
    name: 'disk-bottleneck',
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T01:00:00.000Z',
    experiment: { name: 'disk-bottleneck', sweep: { threads: [1, 2, 4, 8, 16] } },
    runtime: 'docker',
    host: {
      hostname: 'lab-1', kernel: '5.10.0-28-amd64', cgroupVersion: 1, cpus: 8, cpuModel: 'Intel Xeon E5',
      memBytes: 16 * 1024 * MiB, dockerVersion: '20.10.24', node: 'v20.20.2', serverCpuset: '0-3', loadgenCpuset: '4-5',
    },
    calibration: [{ disk: 'hdd', directWriteMiBps: 76.3, bufferedWriteMiBps: 410, fsyncWriteMiBps: 75.9, readMiBps: 114, limits: { writeBps: 80e6, readBps: 120e6, writeIops: 200 } }],
    tools: { speedlab: '0.1.0', autocannon: '8.0.0' },
    expectations: [
      { description: 'disk: hdd, log: full — speedup at 16 threads at most 1.5', passed: true, detail: 'measured 1.08×' },
      { description: 'disk: ram, log: off — speedup at 8 threads at least 2', passed: false, detail: 'measured 1.6×' },
    ],
    ...overrides,
  };
}

export const HDD_LIMIT = 80e6;

/**
 * Five series with known verdicts:
 * - scales:      no log, per-file locks, 4 KiB, ram (σ 0.05, κ 0.001)
 * - lock-bound:  no log, global lock, 4 KiB, ram (flat, low CPU, no disk limit)
 * - disk-bound:  full log, per-file locks, 1 MiB, hdd (device writes 95% of the 80 MB/s limit)
 * - CPU-bound:   meta log, per-file locks, 4 KiB, ram (server CPU 3.8 of 4 from 8 threads)
 * - noisy and loadgen-bound: meta log, global lock, 1 MiB, ram (±20% jitter, loadgen at 0.95 core)
 */
export function knownRun(): PointRecord[] {
  return [
    ...series({ params: { log: 'off', lock: 'file' }, sigma: 0.05, kappa: 0.001, lambda: 2000, extra: (t) => ({ serverCpuCores: Math.min(0.3 * t, 2.5) }) }, 1),
    ...series({ params: { log: 'off', lock: 'global' }, sigma: 0.9, kappa: 0.01, lambda: 1800, extra: () => ({ serverCpuCores: 0.6 }) }, 2),
    ...series({
      params: { log: 'full', lock: 'file', fileSize: MiB, disk: 'hdd', sync: 'fsync' }, sigma: 0.6, kappa: 0, lambda: 15,
      extra: (t) => ({ deviceWriteBytes: (t === 1 ? 0.6 : 0.95) * HDD_LIMIT * 10, diskLimits: { writeBps: HDD_LIMIT, readBps: 120e6, writeIops: 200 }, serverCpuCores: 0.3 }),
    }, 3),
    ...series({ params: { log: 'meta', lock: 'file' }, sigma: 0.02, kappa: 0.002, lambda: 1500, extra: (t) => ({ serverCpuCores: t >= 8 ? 3.8 : 0.45 * t }) }, 4),
    ...series({ params: { log: 'meta', lock: 'global', fileSize: MiB }, sigma: 0.1, kappa: 0, lambda: 300, jitter: 0.2, extra: (t) => ({ loadgenCpuCores: t >= 4 ? 0.95 : 0.5, loadgenBound: t >= 4 }) }, 5),
  ];
}

/** `count` points across many series, with some failures, as a big sweep would produce. */
export function manyPoints(count: number): PointRecord[] {
  const points: PointRecord[] = [];
  let seed = 10;
  outer: for (const disk of ['ram', 'hdd', 'sd-card']) {
    for (const fileSize of [4096, 64 * 1024, MiB]) {
      for (const log of ['off', 'meta', 'full'] as const) {
        for (const lock of ['global', 'file'] as const) {
          const limit = disk === 'ram' ? undefined : disk === 'hdd' ? HDD_LIMIT : 20e6;
          const list = series({
            params: { disk, fileSize, log, lock, sync: disk === 'ram' ? 'none' : 'fsync' },
            sigma: lock === 'global' ? 0.8 : 0.05, kappa: log === 'full' ? 0.004 : 0.0005, lambda: 2e8 / (fileSize + 20000),
            jitter: 0.03,
            extra: (t, rps) => ({
              deviceWriteBytes: limit ? Math.min(rps * fileSize * (log === 'full' ? 4.45 : 1), limit * 0.97) * 10 : 0,
              ...(limit ? { diskLimits: { writeBps: limit } } : {}),
              serverCpuCores: Math.min(0.4 * t, 3.9),
              latencyUs: { p50: 400 * t, p90: 900 * t, p99: 2000 * t, p999: 4000 * t, max: 9000 * t, mean: 500 * t },
            }),
          }, seed++);
          for (const p of list) {
            if (points.length >= count) break outer;
            if (points.length % 97 === 5) {
              p.outcome = 'failed';
              p.failure = 'server exited with code 139 during the measurement';
            }
            points.push(p);
          }
        }
      }
    }
  }
  return points;
}

const created: string[] = [];

export async function tempDir(prefix = 'speedlab-report-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export async function writeRun(dir: string, points: readonly PointRecord[], info: RunInfo | null = runInfo()): Promise<string> {
  await mkdir(dir, { recursive: true });
  if (info) await writeFile(join(dir, 'run.json'), JSON.stringify(info, null, 2));
  await writeFile(join(dir, 'points.jsonl'), points.map((p) => JSON.stringify(p)).join('\n') + (points.length ? '\n' : ''));
  return dir;
}
