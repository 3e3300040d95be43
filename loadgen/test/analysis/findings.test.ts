import { describe, expect, test } from 'vitest';
import type { PointRecord } from '../../src/results/record.js';
import { analyze } from '../../src/analysis/analyze.js';
import { caveatWords, computeFindings, headline, type Finding } from '../../src/analysis/findings.js';
import { HDD_LIMIT, knownRun, point, runInfo, series } from '../report/fixtures.js';

function findingsOf(points: PointRecord[], info = runInfo({ expectations: [] })): Finding[] {
  return computeFindings(analyze(points), info);
}

/** series name -> the kinds of its findings, sorted */
function kindsBySeries(findings: Finding[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of findings) if (f.series) (out[f.series] ??= []).push(f.kind);
  for (const k of Object.keys(out)) out[k]!.sort();
  return out;
}

/** A flat series: same requests/s at every thread count. */
function flat(extra: (threads: number) => Partial<PointRecord>, params: Partial<PointRecord['params']> = {}): PointRecord[] {
  return series({ params, sigma: 1, kappa: 0, lambda: 1000, jitter: 0, extra });
}

describe('findings rules', () => {
  test('each series of the known run gets its known verdicts', () => {
    expect(kindsBySeries(findingsOf(knownRun()))).toEqual({
      'no log, per-file locks, 4 KiB, ram, no fsync': ['scales'],
      'no log, global lock, 4 KiB, ram, no fsync': ['lock-bound'],
      'full log, per-file locks, 1 MiB, hdd, fsync': ['disk-bound'],
      'meta log, per-file locks, 4 KiB, ram, no fsync': ['cpu-bound'],
      // loadgen-bound takes precedence: no verdict on the server beside it
      'meta log, global lock, 1 MiB, ram, no fsync': ['loadgen-bound', 'noisy'],
    });
  });

  test('network-bound where a point moved more than 80% of the link; its highest share in the numbers', () => {
    const net = (t: number): Partial<PointRecord> => ({
      networkBound: t >= 4,
      network: { serverEngine: 'a', loadgenEngine: 'b', address: '127.0.0.1', rttUs: { min: 40, p50: 50, max: 90 }, linkShare: t >= 4 ? 0.93 : 0.2 },
    });
    const found = findingsOf(flat(net)).find((f) => f.kind === 'network-bound');
    expect(found?.level).toBe('bad');
    expect(found?.numbers).toEqual({ cells: 3, maxLinkShare: 0.93 });
    expect(found?.text).toContain('more than 80% of what the link between the two engines carried');
    expect(findingsOf(flat(() => ({}))).map((f) => f.kind)).not.toContain('network-bound');
  });

  test('disk-bound at 90% of the write limit and not at 89%', () => {
    const at = (ratio: number) => flat(() => ({ deviceWriteBytes: ratio * HDD_LIMIT * 10, diskLimits: { writeBps: HDD_LIMIT } }), { disk: 'hdd' });
    const bound = findingsOf(at(0.9)).find((f) => f.kind === 'disk-bound');
    expect(bound?.numbers).toMatchObject({ threads: 1, ratio: 0.9, limitBps: HDD_LIMIT });
    expect(bound?.text).toContain('90% of the profile\'s 80 MB/s limit');
    const notBound = findingsOf(at(0.89)).map((f) => f.kind);
    expect(notBound).not.toContain('disk-bound');
    expect(notBound).toContain('lock-bound');
  });

  test('a disk without a write limit is never disk-bound', () => {
    expect(findingsOf(flat(() => ({ deviceWriteBytes: 1e12 }))).map((f) => f.kind)).toEqual(['lock-bound']);
  });

  test('CPU-bound at 90% of the cpuset, and then not lock-bound', () => {
    const kinds = findingsOf(flat((t) => ({ serverCpuCores: t >= 4 ? 3.6 : 1, serverCpus: 4 }))).map((f) => f.kind);
    expect(kinds).toEqual(['cpu-bound']);
    const cpu = findingsOf(flat((t) => ({ serverCpuCores: t >= 4 ? 3.6 : 1, serverCpus: 4 })))[0]!;
    expect(cpu.numbers).toMatchObject({ threads: 4, ratio: 0.9, serverCpus: 4 });
    expect(findingsOf(flat(() => ({ serverCpuCores: 3.5, serverCpus: 4 }))).map((f) => f.kind)).toEqual(['lock-bound']);
  });

  test('lock-bound below a 1.25× speedup, scaling from 1.25×', () => {
    const lock = findingsOf(series({ params: {}, threads: [1, 2, 4], sigma: 0, kappa: 0, lambda: 100, jitter: 0, extra: () => ({}) }).map((p) => ({ ...p, requestsPerS: p.params.threads === 1 ? 1000 : 1249 })));
    expect(lock.map((f) => f.kind)).toEqual(['lock-bound']);
    expect(lock[0]!.numbers.bestSpeedup).toBeCloseTo(1.249, 6);
    const scales = findingsOf(series({ params: {}, threads: [1, 2, 4], sigma: 0, kappa: 0, lambda: 100, jitter: 0 }).map((p) => ({ ...p, requestsPerS: p.params.threads === 1 ? 1000 : 1250 })));
    expect(scales.map((f) => f.kind)).toEqual(['scales']);
  });

  test('noisy above a 5% coefficient of variation across repetitions', () => {
    // requests/s 1000 ± d for three repetitions: cv = d / 1000
    const withSpread = (d: number) => [1, 2].flatMap((t) => [-d, 0, d].map((delta, r) => point({ threads: t, repetition: r }, { requestsPerS: 1000 * t + delta * t })));
    const noisy = findingsOf(withSpread(51)).find((f) => f.kind === 'noisy');
    expect(noisy?.numbers.worstCv).toBeCloseTo(0.051, 6);
    expect(findingsOf(withSpread(50)).map((f) => f.kind)).not.toContain('noisy');
  });

  test('loadgen-bound points make their series not trusted', () => {
    const f = findingsOf(series({ params: {}, sigma: 0, kappa: 0, lambda: 100, extra: (t) => ({ loadgenBound: t === 16, loadgenCpuCores: t === 16 ? 0.97 : 0.5 }) }));
    const loadgen = f.find((x) => x.kind === 'loadgen-bound');
    expect(loadgen).toMatchObject({ level: 'bad', numbers: { cells: 1 } });
    expect(loadgen?.numbers.maxLoadgenCpuCores).toBeCloseTo(0.97, 9);
    expect(loadgen?.text).toContain('not trusted');
  });

  test('a single-thread-only series cannot be judged, without error', () => {
    const f = findingsOf(series({ params: {}, threads: [1], sigma: 0, kappa: 0, lambda: 100 }));
    expect(f.map((x) => x.kind)).toEqual(['not-enough-data']);
    expect(f[0]!.text).toContain('only one thread count');
    const noBaseline = findingsOf(series({ params: {}, threads: [2, 4], sigma: 0, kappa: 0, lambda: 100 }));
    expect(noBaseline[0]!.text).toContain('no successful 1-thread point');
  });

  test('failed points are counted with their reasons and left out of the verdicts', () => {
    const points = flat(() => ({}));
    points[0]!.outcome = 'failed';
    points[0]!.failure = 'server exited with code 1';
    const f = findingsOf(points);
    expect(f[0]).toMatchObject({ kind: 'failed-points', numbers: { failed: 1, points: 15 } });
    expect(f[0]!.text).toContain('1× “server exited with code 1”');
  });

  test('expectation results are reported, failures as bad', () => {
    const f = computeFindings(analyze(knownRun()), runInfo()).filter((x) => x.kind === 'expectation');
    expect(f.map((x) => [x.passed, x.level])).toEqual([[true, 'info'], [false, 'bad']]);
    expect(f[1]!.text).toContain('NOT met');
    expect(f[1]!.text).toContain('measured 1.6×');
  });

  test('no points, or no successful point, says so', () => {
    expect(findingsOf([])).toEqual([expect.objectContaining({ kind: 'no-data', level: 'bad' })]);
    const allFailed = findingsOf([point({}, { outcome: 'failed' })]);
    expect(allFailed.map((f) => f.kind)).toEqual(['no-data', 'failed-points']);
  });
});

describe('the host disk finding', () => {
  test('says what the server wrote to the host\'s real disks and what the whole device wrote', () => {
    const pts = flat(() => ({ hostWriteBytes: 0, hostDeviceWrite: { device: 'vda', bytes: 4096 } }));
    const f = findingsOf(pts).find((x) => x.kind === 'host-disk');
    expect(f).toMatchObject({ level: 'info', numbers: { serverHostWriteBytes: 0, hostDeviceWriteBytes: 4096 * pts.length } });
    expect(f?.text).toContain('wrote 0 B (0 bytes) to the host\'s real disks');
    expect(f?.text).toContain('everything it wrote stayed in RAM');
    expect(f?.text).toContain('the host\'s vda wrote');
  });

  test('warns when the server did write to a real disk, and is absent when nothing was measured', () => {
    expect(findingsOf(flat(() => ({ hostWriteBytes: 1024 }))).find((x) => x.kind === 'host-disk')?.level).toBe('warn');
    expect(findingsOf(flat(() => ({}))).some((x) => x.kind === 'host-disk')).toBe(false);
  });
});

describe('the headline: the run\'s main result, its caveats beside it', () => {
  const f = (kind: Finding['kind'], level: Finding['level'], extra: Partial<Finding> = {}): Finding => ({ kind, level, text: `${kind} ${level}`, numbers: {}, ...extra });
  const noisy = f('noisy', 'warn', { series: 'no log' });
  const met = f('expectation', 'info', { passed: true });
  const notMet = f('expectation', 'bad', { passed: false });
  const main = (findings: Finding[]) => headline(findings)?.main;

  test('noise is never the main result while there is a result (the logging-cost example: noisy first, then its verdicts)', () => {
    const cpu = f('cpu-bound', 'warn');
    expect(headline([noisy, cpu, f('noisy', 'warn', { series: 'meta log' }), f('scales', 'info')])).toEqual({ main: cpu, caveats: [noisy, expect.objectContaining({ series: 'meta log' })] });
    expect(main([f('host-disk', 'warn'), noisy, f('scales', 'info')])?.kind).toBe('scales');
  });

  test('ranked: nothing measured, a failed expectation, a met one, a bound, scales, then "cannot be judged"', () => {
    const ranked = [f('no-data', 'bad'), notMet, met, f('lock-bound', 'warn'), f('scales', 'info'), f('not-enough-data', 'info')];
    for (let i = 0; i < ranked.length; i++) expect(main([...ranked.slice(i)].reverse())).toBe(ranked[i]);
    // the first of equals
    const other = f('disk-bound', 'warn');
    expect(main([f('scales', 'info'), other, f('lock-bound', 'warn')])).toBe(other);
  });

  test('with caveats only, the worst is the headline; without findings there is none', () => {
    const failed = f('failed-points', 'bad', { numbers: { failed: 2, points: 9 } });
    expect(headline([noisy, failed])).toEqual({ main: failed, caveats: [noisy] });
    expect(headline([f('host-disk', 'info')])).toEqual({ main: expect.objectContaining({ kind: 'host-disk' }), caveats: [] });
    expect(headline([])).toBeNull();
  });

  test('the caveats in words, the untrusted first', () => {
    expect(caveatWords([])).toBe('');
    expect(caveatWords([noisy])).toBe('Caveat: 1 series is noisy (requests/s vary by more than 5% across repetitions).');
    expect(caveatWords([
      noisy, f('noisy', 'warn'), f('failed-points', 'bad', { numbers: { failed: 2, points: 9 } }), f('network-bound', 'bad'),
      f('loadgen-bound', 'bad'), f('loadgen-bound', 'bad'), f('host-disk', 'warn', { numbers: { serverHostWriteBytes: 4096 } }),
    ])).toBe('Caveats: 2 series are not trusted: the load generator may have set their throughput; 1 series is not trusted: the network may have set its throughput; '
      + '2 of 9 points failed; 2 series are noisy (requests/s vary by more than 5% across repetitions); the server wrote 4 KiB to the host\'s real disks.');
  });

  test('the known run: its failed expectation, with the untrusted and noisy series beside it', () => {
    const h = headline(computeFindings(analyze(knownRun()), runInfo()))!;
    expect(h.main.text).toBe('Expectation NOT met: disk: ram, log: off — speedup at 8 threads at least 2 — measured 1.6×');
    expect(h.caveats.map((c) => c.kind)).toEqual(['loadgen-bound', 'noisy']);
    expect(caveatWords(h.caveats)).toBe('Caveats: 1 series is not trusted: the load generator may have set its throughput; 1 series is noisy (requests/s vary by more than 5% across repetitions).');
  });
});
