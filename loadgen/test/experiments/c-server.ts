// The C server tests' shared part (c-server.test.ts: local; c-server-docker.test.ts: its image):
// examples/c-server built by its Makefile, and a run whose expectations must all hold.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { PointRecord, RunInfo } from '../../src/results/record.js';
import { readLines, ROOT, runCli, tempDir } from '../fixtures/cli.js';

export const C_DIR = path.join(ROOT, 'examples/c-server');
export const work = tempDir('speedlab-c-server-');
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(() => {
  execFileSync('make', ['-s', '-C', C_DIR], { stdio: 'inherit' });
});

function results(out: string): { info: RunInfo; points: PointRecord[] } {
  return {
    info: JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')) as RunInfo,
    points: readLines(path.join(out, 'points.jsonl')).map((l) => JSON.parse(l) as PointRecord),
  };
}

export async function runAndCheck(file: string, out: string, extra: string[]): Promise<{ info: RunInfo; points: PointRecord[] }> {
  const r = await runCli(['run', file, '--out', out, ...extra]);
  const { info, points } = results(out);
  const missed = (info.expectations ?? []).filter((e) => !e.passed).map((e) => `${e.description}: ${e.detail}`);
  expect({ code: r.code, missed }, `${r.stdout}\n${r.stderr.slice(-2000)}`).toEqual({ code: 0, missed: [] });
  return { info, points };
}

