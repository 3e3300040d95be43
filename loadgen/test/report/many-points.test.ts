import { stat } from 'node:fs/promises';
import { afterAll, expect, test } from 'vitest';
import { writeReport } from '../../src/report/index.js';
import { manyPoints, runInfo, tempDir, writeRun, removeTempDirs } from './fixtures.js';

afterAll(removeTempDirs);

const MAX_BYTES = 2_000_000;

// the page's size is the report's own doing (the same bytes on any machine); its CPU time is
// printed for the reader, not asserted: a busy machine would make any bound flaky
test('500 points: the report is written and stays under 2 MB', async () => {
  const points = manyPoints(500);
  expect(points).toHaveLength(500);
  const dir = await writeRun(await tempDir('speedlab-report-perf-'), points, runInfo());
  const cpu = process.cpuUsage();
  const { htmlPath } = await writeReport(dir);
  const { user, system } = process.cpuUsage(cpu);
  const bytes = (await stat(htmlPath)).size;
  console.log(`500 points: ${((user + system) / 1000).toFixed(0)} ms of CPU, ${bytes} bytes`);
  expect(bytes).toBeLessThan(MAX_BYTES);
});
