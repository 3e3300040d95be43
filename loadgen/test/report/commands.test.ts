import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test, vi } from 'vitest';
import { CliError } from '../../src/errors.js';
import { main as compare } from '../../src/commands/compare.js';
import { main as report } from '../../src/commands/report.js';
import { knownRun, tempDir, writeRun, removeTempDirs } from './fixtures.js';

afterAll(removeTempDirs);

describe('speedlab report / compare', () => {
  afterEach(() => vi.restoreAllMocks());

  test('report DIR writes the files and prints the findings', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const dir = await writeRun(await tempDir(), knownRun());
    expect(await report([dir])).toBe(0);
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
    const out = log.mock.calls.map((c) => String(c[0])).join('\n');
    expect(out).toContain('disk-bound');
    expect(out).toContain(`wrote ${join(dir, 'report.html')}`);
  });

  test('compare A B -o FILE writes one page', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const root = await tempDir();
    const [a, b] = [await writeRun(join(root, 'a'), knownRun()), await writeRun(join(root, 'b'), knownRun())];
    expect(await compare([a, b, '-o', join(root, 'c.html')])).toBe(0);
    expect(existsSync(join(root, 'c.html'))).toBe(true);
  });

  test('wrong arguments are usage errors', async () => {
    await expect(report([])).rejects.toThrow(CliError);
    await expect(report(['a', 'b'])).rejects.toThrow(/usage: speedlab report DIR/);
    await expect(compare(['only-one'])).rejects.toThrow(/usage: speedlab compare/);
    await expect(report(['--bogus'])).rejects.toMatchObject({ exitCode: 2 });
  });
});
