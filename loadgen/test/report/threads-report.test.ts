// The report's thread sections, summary.csv's thread columns and the terminal's "where" column,
// on points with thread samples; and none of them on points without.
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, test } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { writeReport } from '../../src/report/index.js';
import { summaryCsv } from '../../src/report/summary-csv.js';
import { whereWords } from '../../src/sweep/table.js';
import type { PointRecord } from '../../src/results/record.js';
import { states } from '../threads/states-fixture.js';
import { removeTempDirs, series, tempDir, writeRun } from './fixtures.js';

afterAll(removeTempDirs);

const sampled = (): PointRecord[] => series({
  params: { lock: 'global' }, sigma: 1, kappa: 0, lambda: 1000, jitter: 0,
  extra: (t) => ({ threadStates: states(t, { lock: 0.8 * t, onCpu: 0.9, network: 1 }, { futexWaiters: 0.8 * t }), serverCpusBusy: { scope: 'cpuset', cpuList: '0-1', cpus: 2, busyCores: 1.1 } }),
});

describe('the thread samples in the report', () => {
  test('a stacked chart of the classes and a per-thread table of the worst point, the busiest thread first', async () => {
    const dir = await writeRun(await tempDir(), sampled());
    const { htmlPath } = await writeReport(dir);
    const html = await readFile(htmlPath, 'utf8');
    expect(html).toContain('id="chart-threads" data-datasets="threads"');
    expect(html).toContain('<section id="threads">');
    expect(html).toMatch(/16 threads, repetition \d+ \([\d,.]+ req\/s\)/);
    expect(html).toContain('the busiest thread, httpserver (tid 100, main), was on a CPU 10% of the window; the hottest futex 0x55d0e7ac60c0 (process 100) had 12.8 waiters on average, 16 threads waited there.');
  });

  test('without samples there is neither', async () => {
    const dir = await writeRun(await tempDir(), series({ params: {}, sigma: 1, kappa: 0, lambda: 1000, jitter: 0 }));
    const html = await readFile((await writeReport(dir)).htmlPath, 'utf8');
    expect(html).not.toContain('chart-threads');
    expect(html).not.toContain('<section id="threads">');
  });

  test('summary.csv carries the classes, the hottest futex and the CPUs busy', () => {
    // the series' name, quoted, holds commas
    const [header, ...rows] = summaryCsv(analyze(sampled())).trimEnd().split('\n').map((l) => l.replace(/^"[^"]*",/, 'series,').split(','));
    const at16 = Object.fromEntries(header!.map((h, i) => [h, rows.find((r) => r[header!.indexOf('threads')] === '16')![i]]));
    expect(at16).toMatchObject({ cpus_busy_cores: '1.1', cpus_counted: '2', cpus_scope: 'cpuset', threads_lock: '12.8', threads_on_cpu: '0.9', hottest_futex_waiters: '12.8', busiest_thread: 'httpserver (main tid 100)', busiest_thread_cpu_share: '0.1' });
  });

  test('the terminal\'s where column: the main thread when it was busy, else the most common state', () => {
    expect(whereWords([{ threadStates: states(8, { lock: 6.8, network: 1 }) } as PointRecord])).toBe('lock 6.8');
    expect(whereWords([{ threadStates: states(8, { network: 8 }, { mainShare: 0.97 }) } as PointRecord])).toBe('main 97%');
    expect(whereWords([{ threadStates: { hz: 100, ticks: 0, windowS: 0, unavailable: 'remote' } } as PointRecord])).toBe('n/a');
    expect(whereWords([{} as PointRecord])).toBe('-');
  });
});
