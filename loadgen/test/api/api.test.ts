// The lab as a library, used as a user's script uses it: a project of its own (a temp dir whose
// node_modules/speedlab links to this checkout, as `npm link` or `npm install PATH` makes it), a
// real .mjs script importing 'speedlab' run as a child node process, and a .ts script that tsc
// checks against the package's declared types. Local runtime: no Docker.
// Why its time: real sweeps, each point a fresh server and its seed, load and verify processes.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CompletedRun, InterruptedRun, RunEvent } from '../../src/index.js';
import type { RunInfo } from '../../src/results/record.js';
import { processesWith, readLines, ROOT, tempDir, tinyServerCommand, uniqueSeed, writeExperiment } from '../fixtures/cli.js';

const project = tempDir('speedlab-user-');
afterAll(() => rmSync(project, { recursive: true, force: true }));
mkdirSync(path.join(project, 'node_modules'));
symlinkSync(ROOT, path.join(project, 'node_modules', 'speedlab'), 'dir');

// the README's example ("As a library"), with the file and directory from argv, every event kept,
// and an abort after the first point when asked
writeFileSync(path.join(project, 'script.mjs'), `
import { runExperiment, loadExperiment, writeReport } from 'speedlab';

const [file, out, resume, abortAfterFirst] = process.argv.slice(2);
const experiment = loadExperiment(file);
const stop = new AbortController();
const events = [];
const result = await runExperiment(experiment, {
  runtime: 'local', out, resume: resume === 'resume', signal: stop.signal,
  onEvent: (e) => {
    events.push(e.type === 'point-done' ? { type: e.type, line: e.line, id: e.record.id } : e);
    if (e.type === 'point-done' && abortAfterFirst === 'abort') stop.abort();
  },
});
const report = result.outcome === 'completed' ? await writeReport(result.dir) : undefined;
const { experiment: _, ...rest } = result;
console.log(JSON.stringify({ events, result: rest, report: report?.htmlPath, sigintListeners: process.listenerCount('SIGINT') }));
`);

interface ScriptOutput { events: (RunEvent | { type: 'point-done'; line: string; id: string })[]; result: Omit<CompletedRun, 'experiment'> | InterruptedRun; report?: string; sigintListeners: number }

function runScript(args: string[]): Promise<{ code: number | null; stderr: string; out: ScriptOutput | undefined; stdout: string }> {
  const child = spawn(process.execPath, ['script.mjs', ...args], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => {
    const last = stdout.trim().split('\n').pop() ?? '';
    resolve({ code, stderr, stdout, out: last.startsWith('{') ? (JSON.parse(last) as ScriptOutput) : undefined });
  }));
}

/** a user's own server (the tiny fixture, found by its marker), client settings given: no check stages */
function experiment(name: string, marker: string, seed: number, threads: number[], repetitions: number): string {
  return writeExperiment(project, name, `name: ${name}
server: { command: ${tinyServerCommand(marker)} }
client: { connection: keep-alive, names: { length: 27, alphabet: alnum-dash-underscore }, body: with-head }
sweep: { threads: [${threads.join(', ')}] }
workload: { mix: put, fileSize: 4KiB, connections: 2, warmup: 0s, requests: 200, repetitions: ${repetitions}, seed: ${seed} }
`);
}

/** the events without the lines and phases, which say what happened in words and vary in timings */
const milestones = (o: ScriptOutput) => o.events.filter((e) => e.type !== 'line' && e.type !== 'phase').map((e) => e.type);

describe('the API, from a user\'s script', () => {
  it('runs an experiment: events in order, the result, and the files written', async () => {
    const marker = `m${uniqueSeed()}`;
    const seed = uniqueSeed();
    const file = experiment('api-run', marker, seed, [1, 2], 1);
    const out = path.join(project, 'run-out');
    const r = await runScript([file, out]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    // the API writes nothing to the terminal and installs no signal handler
    expect(r.stderr).toBe('');
    const o = r.out!;
    expect(o.sigintListeners).toBe(0);
    expect(o.events[0]).toEqual({ type: 'run-dir', dir: out });
    expect(milestones(o)).toEqual(['run-dir', 'point', 'point-done', 'point', 'point-done', 'sweep-end', 'measured', 'released']);
    expect(o.events.filter((e) => e.type === 'point')).toEqual([
      { type: 'point', n: 1, total: 2, params: 'threads=1', etaS: expect.any(Number) as number },
      { type: 'point', n: 2, total: 2, params: 'threads=2', etaS: expect.any(Number) as number },
    ]);
    const done = o.events.filter((e) => e.type === 'point-done') as { line: string }[];
    expect(done.map((e) => e.line)).toEqual([expect.stringMatching(/^\[1\/2\] threads=1: \d+ req\/s/), expect.stringMatching(/^\[2\/2\] threads=2: \d+ req\/s/)]);
    // between the run directory and the first point: the disk's calibration and the load generator's ceiling
    const lines = o.events.filter((e) => e.type === 'line').map((e) => (e as { text: string }).text);
    expect(lines).toEqual([expect.stringMatching(/^calibrated disk 'ram' in [\d.]+ s$/), expect.stringMatching(/^load generator ceiling: autocannon with 2 connections, \d+ req\/s/)]);
    expect(o.events.findIndex((e) => e.type === 'phase')).toBeGreaterThan(o.events.findIndex((e) => e.type === 'point'));

    const res = o.result;
    if (res.outcome !== 'completed') throw new Error(`outcome ${res.outcome}`);
    expect(res).toMatchObject({ dir: out, failed: 0, missed: 0, networkBound: 0, expectations: [], report: { status: 'written', htmlPath: path.join(out, 'report.html') } });
    expect(res.records.map((x) => [x.params.threads, x.outcome, x.requests, x.verification])).toEqual([
      [1, 'ok', 200, { checked: 2, mismatches: 0 }],
      [2, 'ok', 200, { checked: 2, mismatches: 0 }],
    ]);
    expect(res.loadgenBound).toBe(res.records.filter((x) => x.loadgenBound).length);
    expect(o.report).toBe(path.join(out, 'report.html'));
    expect(readLines(path.join(out, 'points.jsonl')).map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(res.records.map((x) => x.id));
    const info = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')) as RunInfo;
    expect(info).toMatchObject({ name: 'api-run', runtime: 'local' });
    expect(info.finishedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(readFileSync(path.join(out, 'summary.csv'), 'utf8').split('\n')[0]).toContain('threads');
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('api-run');
    expect(processesWith(marker)).toEqual([]);
    expect(processesWith(`"seed":${seed}`)).toEqual([]);
  });

  it('stops when the signal aborts: the interrupted outcome, nothing left running, and resume finishes it', async () => {
    const marker = `m${uniqueSeed()}`;
    const seed = uniqueSeed();
    const file = experiment('api-abort', marker, seed, [1, 2], 2);
    const out = path.join(project, 'abort-out');
    // the script ends by itself: a server, loadgen or timer left behind would keep it alive
    const r = await runScript([file, out, 'fresh', 'abort']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).toBe('');
    const o = r.out!;
    expect(milestones(o)).toEqual(['run-dir', 'point', 'point-done', 'point', 'sweep-end', 'released']);
    expect(o.result).toEqual({ outcome: 'interrupted', dir: out, records: [expect.objectContaining({ outcome: 'ok', requests: 200 })] });
    expect(readLines(path.join(out, 'points.jsonl'))).toHaveLength(1);
    expect(existsSync(path.join(out, 'report.html'))).toBe(false);
    expect(processesWith(marker)).toEqual([]);
    expect(processesWith(`"seed":${seed}`)).toEqual([]);

    const resumed = await runScript([file, out, 'resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const res = resumed.out!.result;
    expect(res.outcome).toBe('completed');
    expect(res.records).toHaveLength(4);
    expect(res.records[0]).toEqual(o.result.records[0]);
    // the resumed run measures the three points left, from the second
    expect(resumed.out!.events.filter((e) => e.type === 'point').map((e) => (e as { n: number }).n)).toEqual([2, 3, 4]);
  });

  it('declares its exports\' types: a TypeScript user script type-checks against them', async () => {
    expect(existsSync(path.join(ROOT, 'dist/loadgen/src/index.d.ts'))).toBe(true);
    writeFileSync(path.join(project, 'typed.ts'), `
import { compareRuns, Interrupted, loadExperiment, runExperiment, RunRefused, SpeedlabError, writeReport, type RunEvent, type RunResult } from 'speedlab';

const experiment = loadExperiment('x.yaml');
const result: Promise<RunResult> = runExperiment(experiment, {
  runtime: 'local', scale: 0.2, repetitions: 2, signal: new AbortController().signal,
  onEvent: (e: RunEvent) => { if (e.type === 'point-done') console.log(e.record.requestsPerS, e.line); },
});
void result.then((r) => (r.outcome === 'completed' ? r.report.status : r.dir));
void writeReport('dir').then((r) => r.htmlPath);
void compareRuns('a', 'b').then((r) => r.findings.a.length);
const exitCodeOf = (err: unknown): number | undefined => (err instanceof SpeedlabError ? err.exitCode : undefined);
console.log(exitCodeOf(new RunRefused('refused', 2)), new Interrupted().code);
// @ts-expect-error: an option the API does not have
void runExperiment('x.yaml', { runtim: 'local' });
// @ts-expect-error: the runtimes are auto, local and docker
void runExperiment('x.yaml', { runtime: 'podman' });
`);
    const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
    const args = ['typed.ts', '--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node', '--typeRoots', path.join(ROOT, 'node_modules/@types')];
    const child = spawn(process.execPath, [tsc, ...args], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, output }).toEqual({ code: 0, output: '' });
  });
});
