// Finding a program (util/executable.ts), on real files: in a temporary directory, an executable
// file, a file without the execute bit, and a directory of the same name.
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExecutable, isExecutable, pathDirectories } from '../../src/util/executable.js';
import { locateWrk } from '../../src/workload/wrk/locate.js';
import { tempDir } from '../fixtures/cli.js';
import { thrown } from '../fixtures/thrown.js';

const root = tempDir();
/** holds `tool` and `wrk`, executable */
const bin = path.join(root, 'bin');
/** holds `tool` and `wrk`, not executable (mode 644: not even root may execute them) */
const plain = path.join(root, 'plain');
/** holds a directory named `tool` (a directory passes the X_OK check) */
const dirs = path.join(root, 'dirs');

beforeAll(() => {
  for (const dir of [bin, plain, path.join(dirs, 'tool')]) mkdirSync(dir, { recursive: true });
  for (const name of ['tool', 'wrk']) {
    writeFileSync(path.join(bin, name), '#!/bin/sh\n');
    chmodSync(path.join(bin, name), 0o755);
    writeFileSync(path.join(plain, name), '#!/bin/sh\n');
    chmodSync(path.join(plain, name), 0o644);
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('finding an executable', () => {
  it("reads PATH's directories in order, without its empty entries", () => {
    expect(pathDirectories({ PATH: [plain, '', bin, ''].join(path.delimiter) })).toEqual([plain, bin]);
    expect(pathDirectories({})).toEqual([]);
  });

  it('takes an executable regular file, and nothing else', () => {
    expect(isExecutable(path.join(bin, 'tool'))).toBe(true);
    expect(isExecutable(path.join(plain, 'tool'))).toBe(false);
    expect(isExecutable(path.join(dirs, 'tool'))).toBe(false);
    expect(isExecutable(path.join(root, 'missing'))).toBe(false);
  });

  it('finds the first executable one, past the directories where it is not', () => {
    expect(findExecutable('tool', [plain, dirs, bin])).toBe(path.join(bin, 'tool'));
    expect(findExecutable('tool', [plain, dirs])).toBeUndefined();
    expect(findExecutable('tool', [])).toBeUndefined();
    expect(findExecutable('tool', pathDirectories({ PATH: [plain, dirs, bin].join(path.delimiter) }))).toBe(path.join(bin, 'tool'));
  });

  it('is how the lab finds wrk on PATH', () => {
    expect(locateWrk({ PATH: [plain, bin].join(path.delimiter) })).toEqual([path.join(bin, 'wrk')]);
    expect(thrown(() => locateWrk({ PATH: plain }))).toMatchObject({ code: 'wrk-missing', message: expect.stringMatching(/^engine: wrk needs the wrk program \(not on PATH\)/) });
    expect(thrown(() => locateWrk({ SPEEDLAB_WRK: path.join(plain, 'wrk'), PATH: bin }))).toMatchObject({ code: 'wrk-missing', message: expect.stringContaining(`SPEEDLAB_WRK=${path.join(plain, 'wrk')} is not an executable file`) });
  });
});
