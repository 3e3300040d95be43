import { stat } from 'node:fs/promises';
import { afterAll, expect, test } from 'vitest';
import { writeReport } from '../../src/report/index.js';
import { manyPoints, runInfo, tempDir, writeRun, removeTempDirs } from './fixtures.js';

afterAll(removeTempDirs);

const MAX_MS = 3000;
const MAX_BYTES = 2_000_000;

test('500 points: the report takes under 3 seconds and stays under 2 MB', async () => {
  const points = manyPoints(500);
  expect(points).toHaveLength(500);
  const dir = await writeRun(await tempDir('speedlab-report-perf-'), points, runInfo());
  const started = performance.now();
  const { htmlPath } = await writeReport(dir);
  const ms = performance.now() - started;
  const bytes = (await stat(htmlPath)).size;
  console.log(`500 points: ${ms.toFixed(0)} ms, ${bytes} bytes`);
  expect(ms).toBeLessThan(MAX_MS);
  expect(bytes).toBeLessThan(MAX_BYTES);
});
