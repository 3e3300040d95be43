// `speedlab plan`'s bytes line: the reference server's log is estimated; a user's server writes its
// own log, so the lab gives only a bound in the course's format.
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, writeExperiment } from '../fixtures/cli.js';

const work = tempDir();
afterAll(() => rmSync(work, { recursive: true, force: true }));

const bytesLine = (out: string) => out.split('\n').find((l) => l.startsWith('estimated bytes written:'));

describe('plan: the estimated bytes', () => {
  it("a user's server's log is its own: a bound in the course's format, not an estimate", async () => {
    const file = writeExperiment(work, 'own', 'name: own\nserver: { command: [./httpserver, "{port}", -N, "{threads}", -l, "{log}"], log: full }\nsweep: { threads: [1, 4] }\n');
    const r = await runCli(['plan', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(bytesLine(r.stdout)).toBe("estimated bytes written: data volume ~1.83GiB, log: your server's own (the lab does not control its format or rate; in the course's hex format at these rates it would be at most ~6.33GiB)");
  });

  it('the reference server: the log estimated; without a log, no log', async () => {
    const full = await runCli(['plan', writeExperiment(work, 'ref', 'name: ref\nserver: { log: full }\nsweep: { threads: [1, 4] }\n')]);
    expect(bytesLine(full.stdout)).toBe('estimated bytes written: data volume ~1.83GiB, log ~6.33GiB (full logging writes about 3.45× the content)');
    const off = await runCli(['plan', writeExperiment(work, 'off', 'name: off\nsweep: { threads: [1, 4] }\n')]);
    expect(bytesLine(off.stdout)).toBe('estimated bytes written: data volume ~1.83GiB, no log');
  });
});
