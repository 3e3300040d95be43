// The linear axes' labels as vega renders them (the report's server-side SVG): zero reads "0",
// tiny values keep their digits, no label ends in a padding zero. report/browser.test.ts reads
// the same labels from the live charts in chromium.
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, test } from 'vitest';
import { writeReport } from '../../src/report/index.js';
import { removeTempDirs, runInfo, series, tempDir, writeRun } from './fixtures.js';

afterAll(removeTempDirs);

/** the label texts of the axis titled `title` in the static SVG of the chart `id` */
export function axisLabels(page: string, id: string, title: string): string[] {
  const svg = new RegExp(`<figure class="chart" id="chart-${id}"[\\s\\S]*?<div class="chart-static">([\\s\\S]*?)</div>`).exec(page)?.[1] ?? '';
  for (const axis of svg.split('class="mark-group role-axis"').slice(1)) {
    if (/role-axis-title"[^>]*><text[^>]*>([^<]*)<\/text>/.exec(axis)?.[1] !== title) continue;
    const labels = /role-axis-label"[^>]*>([\s\S]*?)<\/g>/.exec(axis)?.[1] ?? '';
    return [...labels.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
  }
  throw new Error(`no axis titled ${title} in chart ${id}`);
}

async function report(deviceWriteBytes: number): Promise<string> {
  const points = series({ params: {}, threads: [1, 2, 4], repetitions: 2, sigma: 0.05, kappa: 0, lambda: 1000, extra: (t) => ({ deviceWriteBytes, serverCpuCores: 0.15 * t }) });
  const dir = await writeRun(await tempDir(), points, runInfo({ expectations: [] }));
  return readFile((await writeReport(dir)).htmlPath, 'utf8');
}

describe('axis labels', () => {
  test('a RAM disk\'s device rate and no errors: the axis reads 0, not 0.000000', async () => {
    const page = await report(0);
    expect(axisLabels(page, 'device-writes', 'device writes (MB/s)')).toEqual(['0']);
    expect(axisLabels(page, 'errors', 'errors (all repetitions)')).toEqual(['0']);
  });

  test('tenths without a padding zero, thousands with a comma, tiny rates with their digits', async () => {
    // 0.15 core a thread up to 0.6; 20 bytes over a 10 s window: 0.000002 MB/s
    const page = await report(20);
    expect(axisLabels(page, 'cpu', 'CPU (cores)')).toEqual(['0', '0.1', '0.2', '0.3', '0.4', '0.5', '0.6']);
    expect(axisLabels(page, 'throughput-rps', 'requests/s')).toContain('1,000');
    expect(axisLabels(page, 'device-writes', 'device writes (MB/s)')).toEqual(['0', '0.0000002', '0.0000004', '0.0000006', '0.0000008', '0.000001', '0.0000012', '0.0000014', '0.0000016', '0.0000018', '0.000002']);
  });
});
