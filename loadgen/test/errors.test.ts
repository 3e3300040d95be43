// errors.ts: each error has a stable code and the exit code the CLI ends with; real failures of the
// compiled CLI end with that code and one line naming the problem, without a stack trace.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { resolveDisk } from '../src/disk/presets.js';
import { loadExperiment } from '../src/experiment/load.js';
import {
  CliError, EngineUnreachableError, EXIT_INTERRUPTED, Interrupted, PointFailure, ReportInputError, ResultsFormatError, RunRefused, RuntimeLost,
  SpeedlabError, UnknownDiskError, WrkFailed, WrkMissingError,
} from '../src/errors.js';
import { startPeer } from '../src/network/peer.js';
import { loadRun } from '../src/report/load-run.js';
import { check } from '../src/validate.js';
import { seedResultSchema } from '../src/workload/job.js';
import { locateWrk } from '../src/workload/wrk/locate.js';
import { parseWrkOutput } from '../src/workload/wrk/run.js';
import { RESULT_MARKER } from '../src/workload/wrk/script.js';
import { runCli, tempDir, writeExperiment } from './fixtures/cli.js';
import { point, runInfo, writeRun } from './report/fixtures.js';
import { thrown } from './fixtures/thrown.js';

const work = tempDir();
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('every error has a code and an exit code', () => {
  test('by class', () => {
    const errors: [SpeedlabError, string, number][] = [
      [new CliError('x'), 'cli', 1],
      [new CliError('x', 2), 'cli', 2],
      [new ReportInputError('x'), 'report-input', 1],
      [new RunRefused('x', 2), 'run-refused', 2],
      [new ResultsFormatError('x'), 'results-format', 1],
      [new EngineUnreachableError('unix:///x.sock', 'ENOENT'), 'engine-unreachable', 1],
      [new UnknownDiskError('floppy', ['ram']), 'unknown-disk', 2],
      [new WrkMissingError('not on PATH'), 'wrk-missing', 1],
      [new WrkFailed('x'), 'wrk-failed', 1],
      [new RuntimeLost('x'), 'runtime-lost', 1],
      [new Interrupted(), 'interrupted', EXIT_INTERRUPTED],
      [new PointFailure('x'), 'point-failed', 1],
    ];
    for (const [err, code, exitCode] of errors) {
      expect(err).toBeInstanceOf(SpeedlabError);
      expect({ name: err.name, code: err.code, exitCode: err.exitCode }).toEqual({ name: err.constructor.name, code, exitCode });
    }
    expect(new ReportInputError('x')).toBeInstanceOf(CliError);
    // the CLI treats a refusal as any message for the user: one line, its exit code
    expect(new RunRefused('x', 2)).toBeInstanceOf(CliError);
    expect(EXIT_INTERRUPTED).toBe(130);
  });

  test('as the lab throws them', () => {
    expect(thrown(() => resolveDisk('floppy'))).toMatchObject({ code: 'unknown-disk', exitCode: 2, message: expect.stringMatching(/^unknown disk profile 'floppy': expected one of ram, hdd, /) });
    expect(thrown(() => locateWrk({ PATH: '/nonexistent' }))).toMatchObject({ code: 'wrk-missing', exitCode: 1, message: expect.stringMatching(/^engine: wrk needs the wrk program \(not on PATH\)/) });
  });
});

describe('process outputs are checked', () => {
  const summary = { requests: 10, durationUs: 1e6, bytesReceived: 1, bytesSent: 1, connect: 0, read: 0, write: 0, status: 0, timeout: 0, p50: 1, p90: 1, p99: 1, p999: 1, max: 1, mean: 1 };

  test("wrk's result line", () => {
    expect(parseWrkOutput(`Running 1s test\n${RESULT_MARKER}${JSON.stringify(summary)}\n`)).toEqual(summary);
    const { durationUs: _, ...noDuration } = summary;
    expect(thrown(() => parseWrkOutput(`${RESULT_MARKER}${JSON.stringify(noDuration)}\n`))).toMatchObject({ code: 'wrk-failed', message: "wrk's result line: field 'durationUs': missing (expected number)" });
    // Lua prints a NaN as nan: not JSON
    expect(thrown(() => parseWrkOutput(`${RESULT_MARKER}{"requests":nan}\n`))).toMatchObject({ code: 'wrk-failed', message: expect.stringMatching(/^wrk's result line: not JSON \(/) });
  });

  test("a loadgen phase's result", () => {
    expect(check(seedResultSchema, { phase: 'seed', files: 3, durationS: 0.2, failures: [] })).toEqual({ ok: true, value: { phase: 'seed', files: 3, durationS: 0.2, failures: [] } });
    expect(check(seedResultSchema, { phase: 'seed', files: 3, durationS: 0.2 })).toEqual({ ok: false, problem: "field 'failures': missing (expected array)" });
  });
});

describe('the CLI ends with the exit code, and one line', () => {
  test('report: a wrong line in points.jsonl', async () => {
    const dir = await writeRun(path.join(work, 'bad-line'), [point({ threads: 1 }), point({ threads: 2 })]);
    const file = path.join(dir, 'points.jsonl');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"threads":2', '"threads":"2"'));
    const r = await runCli(['report', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`speedlab: ${file} line 2: field 'params.threads': got "2" (expected number)\n`);
  });

  test('report: a wrong-typed field in run.json', async () => {
    const dir = await writeRun(path.join(work, 'bad-info'), [point({})], { ...runInfo(), scale: '0.5' } as unknown as ReturnType<typeof runInfo>);
    const r = await runCli(['report', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`speedlab: ${path.join(dir, 'run.json')}: field 'scale': got "0.5" (expected number)\n`);
  });

  test('report --index: a run that cannot be read is a warning on its row', async () => {
    const root = path.join(work, 'index');
    await writeRun(path.join(root, 'good'), [point({})]);
    const bad = await writeRun(path.join(root, 'bad'), [point({})]);
    writeFileSync(path.join(bad, 'points.jsonl'), '{"id":1}\n');
    const r = await runCli(['report', '--index', root]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`warning: bad: ${path.join(bad, 'points.jsonl')} line 1: field 'id': got 1 (expected string)\n`);
  });

  test('run --resume: a wrong run.json or points.jsonl stops it before anything runs, and leaves them as they were', async () => {
    // a finished run as `run` leaves it (run.json records the resolved experiment, which --resume
    // compares), written by the test: the check reads the files before it starts anything
    const file = writeExperiment(work, 'tiny', 'name: tiny\nsweep: { threads: [1, 2] }\nworkload: { duration: 100ms, warmup: 0s, connections: 1 }\n');
    const experiment = JSON.parse(JSON.stringify(loadExperiment(file))) as unknown;
    const out = await writeRun(path.join(work, 'tiny-out'), [point({ threads: 1 }), point({ threads: 2 })], runInfo({ name: 'tiny', experiment }));
    const runJson = path.join(out, 'run.json');
    const pointsJsonl = path.join(out, 'points.jsonl');
    const [info, points] = [readFileSync(runJson, 'utf8'), readFileSync(pointsJsonl, 'utf8')];

    const badInfo = info.replace(/"cpus": (\d+)/, '"cpus": "$1"');
    writeFileSync(runJson, badInfo);
    const r1 = await runCli(['run', file, '--runtime', 'local', '--out', out, '--resume']);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(new RegExp(`^speedlab: ${runJson}: field 'host\\.cpus': got "\\d+" \\(expected number\\)\\n$`));
    expect(readFileSync(runJson, 'utf8')).toBe(badInfo);

    writeFileSync(runJson, info);
    const badPoints = points.replace('"outcome":"ok"', '"outcome":"fine"');
    writeFileSync(pointsJsonl, badPoints);
    const r2 = await runCli(['run', file, '--runtime', 'local', '--out', out, '--resume']);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toBe(`speedlab: ${pointsJsonl} line 1: field 'outcome': got "fine" (expected one of "ok", "failed")\n`);
    expect(readFileSync(pointsJsonl, 'utf8')).toBe(badPoints);
  });

  test('calibrate: an unknown disk is a usage error', async () => {
    const r = await runCli(['calibrate', '--disk', 'floppy']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^speedlab: calibrate: unknown disk profile 'floppy': expected one of ram, hdd, [a-z, -]+ or a name defined under disks:\n$/);
  });
});

describe('an error that wraps another keeps it as its cause, and its own one-line message', () => {
  test('an experiment file that cannot be read', () => {
    const file = path.join(work, 'missing.yaml');
    const err = thrown(() => loadExperiment(file));
    expect(err).toMatchObject({ code: 'cli', exitCode: 2, message: `${file}: cannot read the experiment file (ENOENT)` });
    expect((err as Error).cause).toMatchObject({ code: 'ENOENT', path: file });
  });

  test('a results directory whose points.jsonl cannot be read', async () => {
    const dir = path.join(work, 'points-is-a-directory');
    const points = path.join(dir, 'points.jsonl');
    mkdirSync(points, { recursive: true });
    const err = await loadRun(dir).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ReportInputError);
    expect((err as Error).message).toMatch(new RegExp(`^cannot read ${points}: EISDIR`));
    expect((err as Error).cause).toMatchObject({ code: 'EISDIR' });
  });

  test('a network peer on a port another socket holds', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as AddressInfo;
    try {
      const err = await startPeer('127.0.0.1', port).then((peer) => peer.close(), (e: unknown) => e);
      expect((err as Error).message).toMatch(new RegExp(`^cannot listen on 127\\.0\\.0\\.1:${port}: listen EADDRINUSE`));
      expect((err as Error).cause).toMatchObject({ code: 'EADDRINUSE', syscall: 'listen' });
    } finally {
      holder.close();
    }
  });
});
