import { describe, expect, test } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { csvField, summaryCsv } from '../../src/report/summary-csv.js';
import { knownRun } from './fixtures.js';

describe('summary.csv', () => {
  test('one csv row per cell, fields quoted where needed', () => {
    const analysis = analyze(knownRun());
    const lines = summaryCsv(analysis).trimEnd().split('\n');
    expect(lines).toHaveLength(1 + 25);
    const header = lines[0]!.split(',');
    expect(header).toContain('requests_per_s_cv');
    expect(header).toContain('speedup');
    const first = lines[1]!;
    expect(first.startsWith('"full log, per-file locks, 1 MiB, hdd, fsync",full,file,')).toBe(true);
    expect(csvField('a "quoted", name')).toBe('"a ""quoted"", name"');
    expect(csvField(NaN)).toBe('');
    expect(csvField(null)).toBe('');
  });
});
