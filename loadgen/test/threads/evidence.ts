// The thread-sample tests' shared part (evidence.test.ts: local; evidence-docker.test.ts: a
// throttled disk): a small experiment run through `speedlab run`, its expectations held.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll } from 'vitest';
import type { PointRecord, RunInfo } from '../../src/results/record.js';
import { runHeld, tempDir, writeExperiment } from '../fixtures/cli.js';

const work = tempDir('speedlab-threads-');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `speedlab run` of a small experiment whose expectations must all hold */
export async function run(name: string, yaml: string[], extra: string[]): Promise<{ info: RunInfo; points: PointRecord[] }> {
  const file = writeExperiment(work, name, [`name: ${name}`, ...yaml, ''].join('\n'));
  return runHeld(file, path.join(work, name), extra);
}

