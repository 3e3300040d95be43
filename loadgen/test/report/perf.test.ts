import { stat } from 'node:fs/promises';
import { afterAll, expect, test } from 'vitest';
import { writeReport } from '../../src/report/index.js';
import { manyPoints, runInfo, tempDir, writeRun, removeTempDirs } from './fixtures.js';

afterAll(removeTempDirs);

const MAX_CPU_MS = 3000;
const MAX_BYTES = 2_000_000;

// CPU time, not wall time: what the report costs, whatever else the machine is doing meanwhile
test('500 points: the report costs under 3 CPU seconds and stays under 2 MB', async () => {
  const points = manyPoints(500);
  expect(points).toHaveLength(500);
  const dir = await writeRun(await tempDir('speedlab-report-perf-'), points, runInfo());
  const started = performance.now();
  const cpu = process.cpuUsage();
  const { htmlPath } = await writeReport(dir);
  const { user, system } = process.cpuUsage(cpu);
  const cpuMs = (user + system) / 1000;
  const bytes = (await stat(htmlPath)).size;
  console.log(`500 points: ${cpuMs.toFixed(0)} ms of CPU in ${(performance.now() - started).toFixed(0)} ms, ${bytes} bytes`);
  expect(cpuMs).toBeLessThan(MAX_CPU_MS);
  expect(bytes).toBeLessThan(MAX_BYTES);
});
