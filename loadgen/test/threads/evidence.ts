// The thread-sample tests' shared part (evidence.test.ts: local; evidence-docker.test.ts: a
// throttled disk): a small experiment run through `speedlab run`, its expectations held.
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect } from 'vitest';
import type { PointRecord, RunInfo } from '../../src/results/record.js';
import { readLines, runCli, tempDir, writeExperiment } from '../fixtures/cli.js';

const work = tempDir('speedlab-threads-');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `speedlab run` of a small experiment whose expectations must all hold */
export async function run(name: string, yaml: string[], extra: string[]): Promise<{ info: RunInfo; points: PointRecord[] }> {
  const file = writeExperiment(work, name, [`name: ${name}`, ...yaml, ''].join('\n'));
  const out = path.join(work, name);
  const r = await runCli(['run', file, '--out', out, ...extra]);
  const info = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')) as RunInfo;
  const missed = (info.expectations ?? []).filter((e) => !e.passed).map((e) => `${e.description}: ${e.detail}`);
  expect({ code: r.code, missed }, `${r.stdout}\n${r.stderr.slice(-2000)}`).toEqual({ code: 0, missed: [] });
  return { info, points: readLines(path.join(out, 'points.jsonl')).map((l) => JSON.parse(l) as PointRecord) };
}

