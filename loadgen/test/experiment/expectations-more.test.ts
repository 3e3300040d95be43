// The expectation kinds beyond speedup/faster: the report's findings and totals; and --scale.
import { describe, expect, it } from 'vitest';
import { evaluateExpectations } from '../../src/analysis/expectations.js';
import { points } from '../../src/experiment/grid.js';
import { parseExperiment } from '../../src/experiment/load.js';
import { scaleExperiment, withRepetitions } from '../../src/experiment/scale.js';
import type { PointRecord } from '../../src/results/record.js';
import { DISK_PRESETS } from '../../src/disk/presets.js';

const LIMIT = 10e6;
const exp = parseExperiment(
  `name: d
sweep: { disk: [ram, slow], threads: [1, 4] }
server: { ioDelay: 5ms, logDelay: 2ms }
workload: { duration: 4s, warmup: 2s, repetitions: 1 }
disks: { slow: { kind: throttled, size: 1GiB, writeBps: 10MB } }
expect:
  - where: { disk: slow }
    finding: { kind: disk-bound }
  - where: { disk: ram }
    finding: { kind: disk-bound, present: false }
  - finding: { kind: disk-bound }
  - total: { of: logBytes, atLeast: 6.4GB }
  - where: { disk: ram }
    total: { of: hostWriteBytes, atMost: 0 }
`,
  'd.yaml',
);

function record(disk: string, threads: number, fields: Partial<PointRecord>): PointRecord {
  const pt = points(exp).find((p) => p.params.disk === disk && p.params.threads === threads)!;
  return {
    id: pt.id, params: pt.params, outcome: 'ok', durationS: 1, requestsPerS: 100 * threads, loadgenBound: false,
    serverCpuCores: 0.1, serverCpus: 2, deviceWriteBytes: 0, deviceReadBytes: 0, logBytes: 0, bytesPerS: 0,
    latencyUs: { p50: 1, p90: 1, p99: 1, p999: 1, max: 1, mean: 1 }, statusCounts: { 200: 1 }, errors: 0, timeouts: 0,
    loadgenCpuCores: 0.1, verification: { checked: 1, mismatches: 0 },
    ...(disk === 'slow' && { diskLimits: { writeBps: LIMIT } }),
    ...fields,
  } as PointRecord;
}

const records = [
  record('ram', 1, { logBytes: 3.3e9, hostWriteBytes: 0 }),
  record('ram', 4, { logBytes: 3.2e9, hostWriteBytes: 0 }),
  record('slow', 1, { deviceWriteBytes: 0.5 * LIMIT, requestsPerS: 50 }),
  record('slow', 4, { deviceWriteBytes: 0.97 * LIMIT, requestsPerS: 95 }),
];

describe('finding expectations', () => {
  const results = evaluateExpectations(exp, records);

  it('pass when every matching series carries the report\'s finding', () => {
    expect(results[0]).toMatchObject({ passed: true, description: 'where disk=slow, the report names every series disk-bound' });
    expect(results[0]!.detail).toContain('disk-bound — from 4 threads');
  });

  it('present: false passes when no matching series carries it', () => {
    expect(results[1]).toMatchObject({ passed: true });
    expect(results[1]!.detail).toContain('not disk-bound (ok)');
  });

  it('fail, naming the series, when one matching series lacks it', () => {
    expect(results[2]!.passed).toBe(false);
    expect(results[2]!.detail).toContain('not disk-bound (MISSED)');
  });
});

describe('total expectations', () => {
  const results = evaluateExpectations(exp, records);

  it('sum a field over the matching points', () => {
    expect(results[3]).toMatchObject({ passed: true, detail: expect.stringContaining('(6500000000 bytes) over 4 points') });
    expect(results[4]).toMatchObject({ passed: true, detail: '0B (0 bytes) over 2 points' });
  });

  it('fail when a point did not measure the field, rather than count it as zero', () => {
    const r = evaluateExpectations(exp, records.map((x) => ({ ...x, hostWriteBytes: undefined })));
    expect(r[4]).toMatchObject({ passed: false, detail: '2 of 2 points did not measure hostWriteBytes (the runtime does not report it)' });
  });

  it('fail when the sum misses the bound', () => {
    const r = evaluateExpectations(exp, records.map((x) => ({ ...x, logBytes: 1e9 })));
    expect(r[3]!.passed).toBe(false);
  });
});

describe('the modelled device times', () => {
  it('resolve to milliseconds for the reference server', () => {
    expect(exp.server).toMatchObject({ ioDelayMs: 5, logDelayMs: 2 });
    expect(parseExperiment('name: x', 'x.yaml').server).toMatchObject({ ioDelayMs: 0, logDelayMs: 0 });
  });
});

describe('--scale', () => {
  it('shrinks the windows and the total: bounds, keeps the grid, the repetitions and a bound of 0', () => {
    const s = scaleExperiment(exp, 0.1);
    expect(s.workload).toMatchObject({ durationS: 0.5, warmupS: expect.closeTo(0.2, 6), repetitions: 1 });
    expect(points(s)).toHaveLength(points(exp).length);
    expect(s.expect[3]).toMatchObject({ total: { atLeast: 640_000_000 } });
    expect(s.expect[4]).toMatchObject({ total: { atMost: 0 } });
    expect(s.expect[0]).toEqual(exp.expect[0]);
  });

  it('scales a counted window, never below one request', () => {
    const counted = parseExperiment('name: c\nworkload: { requests: 1800 }', 'c.yaml');
    expect(counted.workload.requests).toBe(1800);
    expect(scaleExperiment(counted, 0.05).workload.requests).toBe(90);
    expect(scaleExperiment(counted, 0.0001 * 5).workload.requests).toBe(1);
    expect(scaleExperiment(counted, 1)).toBe(counted);
  });
});

describe('disk presets', () => {
  it('a swept preset name resolves to the preset; the file\'s own profile of that name wins', () => {
    const e = parseExperiment('name: p\nsweep: { disk: [ram, hdd, sd-card] }', 'p.yaml');
    expect(e.disks.hdd).toEqual(DISK_PRESETS.hdd);
    expect(e.disks['sd-card']).toEqual(DISK_PRESETS['sd-card']);
    expect(e.disks.hdd!.kind).toBe('throttled');
    const own = parseExperiment('name: p\nsweep: { disk: [hdd] }\ndisks: { hdd: { kind: throttled, size: 1GiB, writeBps: 50MB } }', 'p.yaml');
    expect(own.disks.hdd).toMatchObject({ writeBps: 50e6, sizeBytes: 1024 ** 3 });
  });
});

describe('--repetitions', () => {
  it('replaces the file\'s repetitions and leaves the rest', () => {
    const e = parseExperiment('name: r\nsweep: { threads: [1, 2] }\nworkload: { repetitions: 3 }', 'r.yaml');
    expect(points(withRepetitions(e, 1))).toHaveLength(2);
    expect(withRepetitions(e, undefined)).toBe(e);
    expect(withRepetitions(e, 5).workload).toEqual({ ...e.workload, repetitions: 5 });
  });
});
