// A program's result is its last line of JSON (validate.ts lastJsonLine), read through a schema:
// on real child output (a node child; the calibration program, through the local runtime's
// calibration), and the errors when that line is not JSON or not what the schema reads.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { calibrationRatesSchema } from '../src/results/schema.js';
import { calibrateLocal } from '../src/runtime/local/calibrate.js';
import { lastJsonLine } from '../src/validate.js';
import { tempDir } from './fixtures/cli.js';
import { thrown } from './fixtures/thrown.js';

const work = tempDir();
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** what a node child running `script` printed on stdout */
function childOutput(script: string): string {
  return execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
}

describe('lastJsonLine', () => {
  it("reads a child's last line, after the lines it printed before", () => {
    const out = childOutput("console.log('measuring'); console.log(JSON.stringify({ readMiBps: 812.5, bufferedWriteMiBps: 1024 }))");
    expect(out).toBe('measuring\n{"readMiBps":812.5,"bufferedWriteMiBps":1024}\n');
    expect(lastJsonLine(calibrationRatesSchema, out, "the calibration of 'ram'")).toEqual({ readMiBps: 812.5, bufferedWriteMiBps: 1024 });
    expect(lastJsonLine(z.unknown(), out, 'the load generator')).toEqual({ readMiBps: 812.5, bufferedWriteMiBps: 1024 });
  });

  it('names what printed a last line that is not JSON, and the line; the parse error is its cause', () => {
    const out = childOutput("console.log(JSON.stringify({ readMiBps: 1 })); console.log('dd: error writing')");
    const err = thrown(() => lastJsonLine(z.unknown(), out, 'the load generator'));
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe('the load generator printed no JSON result: "dd: error writing"');
    expect((err as Error).cause).toBeInstanceOf(SyntaxError);
    expect(thrown(() => lastJsonLine(z.unknown(), childOutput(''), "the calibration of 'hdd'"))).toMatchObject({ message: `the calibration of 'hdd' printed no JSON result: ""` });
  });

  it('names the field a result gets wrong', () => {
    const out = childOutput("console.log(JSON.stringify({ readMiBps: 'fast' }))");
    expect(thrown(() => lastJsonLine(calibrationRatesSchema, out, "the calibration of 'hdd'"))).toMatchObject({
      message: `the calibration of 'hdd' printed a result the lab cannot read: field 'readMiBps': got "fast" (expected number)`,
    });
  });

  it("reads the calibration program's own line (the local runtime's calibration of a 4 MiB ram disk)", async () => {
    const calibration = await calibrateLocal({ name: 'ram', kind: 'ram', sizeBytes: 4 * 1024 ** 2 }, work, 'validate-test');
    expect(calibration.disk).toBe('ram');
    expect(calibration.bufferedWriteMiBps).toBeGreaterThan(0);
    expect(Object.keys(calibration).filter((k) => !['disk', ...Object.keys(calibrationRatesSchema.shape)].includes(k))).toEqual([]);
  });
});
