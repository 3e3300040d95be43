// docs/findings.md quotes the committed example runs; these tests rebuild its tables and a few of
// its sentences from results/examples/*/ and fail when a number in the document drifts from them.
// FINDINGS_PRINT=1 prints the tables as they should read (to paste after a re-run).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const EXAMPLES = path.join(ROOT, 'results/examples');
const NAMES = ['lock-strategies', 'logging-cost', 'thread-scaling', 'disk-bottleneck', 'large-log'] as const;
const findings = readFileSync(path.join(ROOT, 'docs/findings.md'), 'utf8');

type Row = Record<string, string>;

function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { fields.push(field); field = ''; }
    else field += c;
  }
  fields.push(field);
  return fields;
}

function summary(name: string): Row[] {
  const [header, ...lines] = readFileSync(path.join(EXAMPLES, name, 'summary.csv'), 'utf8').trim().split('\n');
  const keys = parseCsvLine(header!);
  return lines.map((l) => Object.fromEntries(parseCsvLine(l).map((v, i) => [keys[i]!, v])));
}

function only(rows: Row[], where: Row): Row {
  const hits = rows.filter((r) => Object.entries(where).every(([k, v]) => r[k] === v));
  if (hits.length !== 1) throw new Error(`${hits.length} summary rows match ${JSON.stringify(where)}`);
  return hits[0]!;
}

interface PointLine { outcome: string; requests: number; durationS: number; requestsPerS: number; bytesPerS: number; logBytes?: number; serverCpuCores?: number; hostWriteBytes?: number }
function points(name: string): PointLine[] {
  return readFileSync(path.join(EXAMPLES, name, 'points.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as PointLine);
}

/** req/s as the document writes them: whole numbers with separators from 100 up, 3 significant digits below */
const rate = (v: string | number): string => (Number(v) >= 100 ? Math.round(Number(v)).toLocaleString('en-US') : Number(v).toPrecision(3));
const times = (v: string): string => `${Number(v).toFixed(2)}×`;
const cores = (v: string): string => Number(v).toFixed(2);
const mbps = (v: string): string => (Number(v) / 1e6).toFixed(1);
const tableRow = (cells: string[]): string => `| ${cells.join(' | ')} |`;

function lockStrategiesTable(): string[] {
  const rows = summary('lock-strategies');
  const threads = ['1', '2', '4', '8', '16'];
  const at = (lock: string, t: string) => only(rows, { lock, threads: t });
  return [
    tableRow(['threads', ...threads]),
    tableRow(['global, req/s', ...threads.map((t) => rate(at('global', t).requests_per_s_mean!))]),
    tableRow(['global, speedup', ...threads.map((t) => times(at('global', t).speedup!))]),
    tableRow(['file, req/s', ...threads.map((t) => rate(at('file', t).requests_per_s_mean!))]),
    tableRow(['file, speedup', ...threads.map((t) => times(at('file', t).speedup!))]),
  ];
}

function loggingCostTable(): string[] {
  const rows = summary('logging-cost');
  const lines = [tableRow(['req/s (speedup)', '1 thread', '4 threads', '16 threads'])];
  for (const log of ['off', 'meta', 'full']) {
    for (const logWrite of ['locked', 'reserved']) {
      const cell = (t: string) => only(rows, { log, log_write: logWrite, threads: t });
      lines.push(tableRow([`${log}, ${logWrite}`, rate(cell('1').requests_per_s_mean!),
        ...['4', '16'].map((t) => `${rate(cell(t).requests_per_s_mean!)} (${times(cell(t).speedup!)})`)]));
    }
  }
  return lines;
}

function threadScalingTable(): string[] {
  const rows = summary('thread-scaling');
  const threads = ['1', '2', '4', '8', '16', '32'];
  const at = (t: string) => only(rows, { threads: t });
  return [
    tableRow(['threads', ...threads]),
    tableRow(['req/s', ...threads.map((t) => rate(at(t).requests_per_s_mean!))]),
    tableRow(['speedup', ...threads.map((t) => times(at(t).speedup!))]),
    tableRow(['server CPU (cores)', ...threads.map((t) => cores(at(t).server_cpu_cores!))]),
  ];
}

function diskBottleneckTable(): string[] {
  const rows = summary('disk-bottleneck');
  const lines = [tableRow(['req/s (speedup)', '1 thread', '4 threads', '16 threads', 'device writes, MB/s (1 / 4 / 16 threads)'])];
  for (const disk of ['ram', 'hdd', 'sd-card']) {
    const cell = (t: string) => only(rows, { disk, threads: t });
    const writes = ['1', '4', '16'].map((t) => mbps(cell(t).device_write_bytes_per_s!)).join(' / ');
    lines.push(tableRow([disk, rate(cell('1').requests_per_s_mean!),
      ...['4', '16'].map((t) => `${rate(cell(t).requests_per_s_mean!)} (${times(cell(t).speedup!)})`),
      disk === 'ram' ? 'none (tmpfs)' : writes]));
  }
  return lines;
}

const TABLES: Record<string, () => string[]> = {
  'lock-strategies': lockStrategiesTable,
  'logging-cost': loggingCostTable,
  'thread-scaling': threadScalingTable,
  'disk-bottleneck': diskBottleneckTable,
};

if (process.env['FINDINGS_PRINT'] === '1') {
  for (const [name, table] of Object.entries(TABLES)) console.log(`${name}\n${table().join('\n')}\n`);
}

describe('results/examples', () => {
  it.each(NAMES)('%s keeps its raw points, a clean commit and passed expectations', (name) => {
    const dir = path.join(EXAMPLES, name);
    expect(existsSync(path.join(dir, 'points.jsonl'))).toBe(true);
    const run = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')) as {
      code?: { commit: string; dirty: boolean }; runtime: string; expectations: { passed: boolean }[];
    };
    expect(run.code?.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(run.code?.dirty).toBe(false);
    expect(run.runtime).toBe('docker');
    expect(run.expectations.length).toBeGreaterThan(0);
    expect(run.expectations.filter((e) => !e.passed)).toEqual([]);
    expect(points(name).every((p) => p.outcome === 'ok')).toBe(true);
  });
});

describe('docs/findings.md', () => {
  it.each(Object.keys(TABLES))('has the %s table as the example run measured it', (name) => {
    for (const line of TABLES[name]!()) expect(findings, `${name}: missing row\n${line}`).toContain(line);
  });

  it('quotes the large-log run exactly: log bytes, requests, rate and host writes', () => {
    const [p, ...rest] = points('large-log');
    expect(rest).toEqual([]);
    expect(findings).toContain(`**${p!.logBytes!.toLocaleString('en-US')} bytes`);
    expect(findings).toContain(`${p!.requests.toLocaleString('en-US')} PUTs took ${p!.durationS.toFixed(1)} s`);
    expect(findings).toContain(`**${rate(p!.requestsPerS)} req/s`);
    expect(findings).toContain(`**${p!.hostWriteBytes ?? 0} bytes written to the host's real disk by the server.**`);
  });

  it('names the commit every example was measured at', () => {
    for (const name of NAMES) {
      const run = JSON.parse(readFileSync(path.join(EXAMPLES, name, 'run.json'), 'utf8')) as { code: { commit: string } };
      expect(findings).toContain(run.code.commit.slice(0, 7));
    }
  });
});

describe('speedlab compare with an example', () => {
  it('compares results/examples/lock-strategies with a run of one\'s own, cell by cell', () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'speedlab-compare-'));
    try {
      const mine = path.join(scratch, 'my-run');
      cpSync(path.join(EXAMPLES, 'lock-strategies'), mine, { recursive: true });
      const out = path.join(scratch, 'compare.html');
      const cli = path.join(ROOT, 'dist/loadgen/src/cli.js');
      const stdout = execFileSync(process.execPath, [cli, 'compare', path.join(EXAMPLES, 'lock-strategies'), mine, '-o', out], { encoding: 'utf8' });
      expect(stdout).toContain(out);
      const html = readFileSync(out, 'utf8');
      expect(html).toContain('id="chart-ratios"');
      // the same points on both sides: every one of the 10 cells has ratio 1
      expect((html.match(/<strong>1<\/strong>/g) ?? []).length).toBe(10);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
