// results/schema.ts: the one way points.jsonl and run.json are read, by run --resume and the report alike.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ResultsFormatError } from '../../src/errors.js';
import { loadRun, readRunInfo as reportRunInfo } from '../../src/report/load-run.js';
import type { PointRecord } from '../../src/results/record.js';
import { parsePoints, parseRunInfo } from '../../src/results/schema.js';
import { readPoints, readRunInfo } from '../../src/results/store.js';
import { ROOT } from '../fixtures/cli.js';
import { point, removeTempDirs, runInfo, tempDir, writeRun } from '../report/fixtures.js';
import { thrown } from '../fixtures/thrown.js';

afterAll(removeTempDirs);

const EXAMPLES = path.join(ROOT, 'results/examples');
const line = (value: unknown) => `${JSON.stringify(value)}\n`;

function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`${text} is JSON`);
}

describe('points.jsonl', () => {
  test('a record reads back as it was written', () => {
    const written: PointRecord[] = [
      point({ threads: 2, engine: 'wrk' }, { loadgenCeilingShare: 0.31, hostWriteBytes: 0, hostDeviceWrite: { device: '8:0', bytes: 4096 }, serverMemPeakBytes: 9e7 }),
      point({ threads: 4, disk: 'hdd' }, { outcome: 'failed', failure: 'server died', diskLimits: { writeBps: 80e6 }, verification: { checked: 2, mismatches: 1, detail: 'x: 3 bytes short' } }),
    ];
    expect(parsePoints(written.map(line).join(''), 'p.jsonl')).toEqual({ points: written });
  });

  test('a record written before engines, ceilings and host writes existed loads, as autocannon', () => {
    const { engine: _engine, ...params } = point({ threads: 3 }).params;
    const old = { ...point({ threads: 3 }), params };
    const { points } = parsePoints(line(old), 'p.jsonl');
    expect(points).toEqual([{ ...old, params: { ...params, engine: 'autocannon' } }]);
    expect('loadgenCeilingShare' in points[0]! || 'hostWriteBytes' in points[0]!).toBe(false);
  });

  test('a number JSON could not hold (written as null) reads back as NaN, never 0', () => {
    const rec = { ...point({}), requestsPerS: null, latencyUs: { ...point({}).latencyUs, mean: null }, loadgenCeilingShare: null };
    const [p] = parsePoints(line(rec), 'p.jsonl').points;
    expect(p!.requestsPerS).toBeNaN();
    expect(p!.latencyUs.mean).toBeNaN();
    expect(p!.loadgenCeilingShare).toBeNaN();
  });

  test('a wrong line is an error naming the file, the line and the field', () => {
    const bad = { ...point({}), params: { ...point({}).params, threads: '4' } };
    const err = thrown(() => parsePoints(line(point({})) + '\n' + line(bad), 'r/points.jsonl'));
    expect(err).toBeInstanceOf(ResultsFormatError);
    expect(err).toMatchObject({ code: 'results-format', exitCode: 1, message: `r/points.jsonl line 3: field 'params.threads': got "4" (expected number)` });
    const cases: [unknown, string][] = [
      [{ ...point({}), latencyUs: undefined }, `field 'latencyUs': missing (expected object)`],
      [{ ...point({}), params: { ...point({}).params, log: 'verbose' } }, `field 'params.log': got "verbose" (expected one of "off", "meta", "full")`],
      [{ ...point({}), params: { ...point({}).params, threads: 0 } }, `field 'params.threads': got 0 (Too small: expected number to be >=1)`],
      [{ ...point({}), statusCounts: { 200: 'many' } }, `field 'statusCounts.200': got "many" (expected number)`],
      [[1, 2], `got [1,2] (expected object)`],
    ];
    for (const [value, problem] of cases) expect(thrown(() => parsePoints(line(value), 'p.jsonl'))).toMatchObject({ message: `p.jsonl line 1: ${problem}` });
  });

  test('a line that is not JSON is an error naming it', () => {
    const text = `${line(point({}))}{"id": "a", oops}\n`;
    expect(thrown(() => parsePoints(text, 'p.jsonl'))).toMatchObject({ message: `p.jsonl line 2: not JSON (${jsonError('{"id": "a", oops}')})` });
  });

  test('a last line without its newline is not a record: the store cuts it off, the report skips it with a warning', async () => {
    const whole = line(point({ threads: 1 })) + line(point({ threads: 2 }));
    const cut = JSON.stringify(point({ threads: 3 })).slice(0, 40);
    expect(parsePoints(whole + cut, 'p.jsonl')).toEqual({ points: [point({ threads: 1 }), point({ threads: 2 })], partial: { line: 3, text: cut } });

    const dir = await writeRun(await tempDir(), []);
    writeFileSync(path.join(dir, 'points.jsonl'), whole + cut);
    const run = await loadRun(dir);
    expect(run.points).toHaveLength(2);
    expect(run.warnings).toEqual(['points.jsonl line 3 has no newline at its end and was skipped (a truncated write?).']);
    expect(readPoints(dir)).toHaveLength(2);
    expect(readFileSync(path.join(dir, 'points.jsonl'), 'utf8')).toBe(whole);
  });

  test('the store and the report refuse the same wrong line with the same message, and the store leaves the file as it was', async () => {
    const dir = await writeRun(await tempDir(), [point({ threads: 1 })]);
    const file = path.join(dir, 'points.jsonl');
    const text = `${readFileSync(file, 'utf8')}${line({ ...point({ threads: 2 }), outcome: 'maybe' })}{"id":`;
    writeFileSync(file, text);
    const message = `${file} line 2: field 'outcome': got "maybe" (expected one of "ok", "failed")`;
    expect(thrown(() => readPoints(dir))).toMatchObject({ code: 'results-format', message });
    await expect(loadRun(dir)).rejects.toMatchObject({ code: 'results-format', message });
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});

describe('run.json', () => {
  test('the example runs, and a run written before ceilings and code versions existed, load', async () => {
    const names = readdirSync(EXAMPLES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(names).toEqual(['disk-bottleneck', 'large-log', 'lock-strategies', 'logging-cost', 'thread-scaling']);
    // the old example of lock-strategies, as committed before the rerun of issue 13
    const old = path.join(ROOT, 'loadgen/test/fixtures/old-run');
    const oldInfo = JSON.parse(readFileSync(path.join(old, 'run.json'), 'utf8')) as Record<string, unknown>;
    expect(oldInfo.code).toBeUndefined();
    expect(oldInfo.loadgenCeilings).toBeUndefined();
    for (const dir of [...names.map((n) => path.join(EXAMPLES, n)), old]) {
      const name = path.basename(dir);
      const raw = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')) as unknown;
      expect(readRunInfo(dir), name).toEqual(raw);
      expect(await reportRunInfo(path.join(dir, 'run.json'), []), name).toEqual(raw);
    }
  });

  test('a run.json as run writes it reads back unchanged', () => {
    const info = runInfo({
      loadgenCeilings: [{ engine: 'wrk', connections: 32, requestsPerS: 91000, measuredPerS: 40000, cpuCores: 1.9, windowS: 3 }],
      code: { commit: 'a'.repeat(40), dirty: true, paths: { server: 'b'.repeat(40), load: 'c'.repeat(40) }, resumedWith: [{ commit: 'd'.repeat(40), dirty: false }] },
      scale: 0.2,
    });
    expect(parseRunInfo(JSON.stringify(info), 'run.json')).toEqual(info);
  });

  test('a wrong field is an error naming the file and the field, in the store and the report alike', async () => {
    const info = runInfo();
    const dir = await writeRun(await tempDir(), [point({})], { ...info, host: { ...info.host, cpus: '8' } } as unknown as typeof info);
    const file = path.join(dir, 'run.json');
    const message = `${file}: field 'host.cpus': got "8" (expected number)`;
    expect(thrown(() => readRunInfo(dir))).toMatchObject({ code: 'results-format', exitCode: 1, message });
    await expect(loadRun(dir)).rejects.toMatchObject({ code: 'results-format', message });
    const cases: [unknown, string][] = [
      [{ ...info, runtime: 'k8s' }, `field 'runtime': got "k8s" (expected one of "local", "docker")`],
      [{ ...info, host: { ...info.host, cgroupVersion: 3 } }, `field 'host.cgroupVersion': got 3 (expected one of 1, 2)`],
      [{ ...info, calibration: [{ disk: 'hdd', readMiBps: '12' }] }, `field 'calibration[0].readMiBps': got "12" (expected number)`],
      [{ ...info, name: undefined }, `field 'name': missing (expected string)`],
    ];
    for (const [value, problem] of cases) expect(thrown(() => parseRunInfo(JSON.stringify(value), 'run.json'))).toMatchObject({ message: `run.json: ${problem}` });
    expect(thrown(() => parseRunInfo('{"name":', 'run.json'))).toMatchObject({ message: `run.json: not JSON (${jsonError('{"name":')})` });
  });
});
