// The terminal table after a sweep and the report judge the same points alike.
import { describe, expect, test } from 'vitest';
import { experimentSchema } from '../../src/experiment/schema.js';
import { resolveExperiment } from '../../src/experiment/resolve.js';
import { analyze } from '../../src/analysis/analyze.js';
import { computeFindings } from '../../src/analysis/findings.js';
import { bytesLine, resultsTable } from '../../src/sweep/table.js';
import { point } from '../report/fixtures.js';

const exp = resolveExperiment(experimentSchema.parse({ name: 't', sweep: { threads: [1, 2] }, workload: { repetitions: 2 } }), ['threads']).experiment!;

/** two repetitions per cell; at 2 threads the spread is `spread` req/s around 1037.5 */
function points(spread: number) {
  return [1, 2].flatMap((threads) => [0, 1].map((repetition) => point({ threads, repetition }, {
    requestsPerS: threads === 1 ? 500 : 1037.5 + (repetition === 0 ? -spread : spread),
  })));
}

describe('the terminal table', () => {
  test('calls a cell noisy exactly where the report does (sample sd, the report\'s 5% rule)', () => {
    // 1000 and 1075: sample cv 5.1% (noisy), population cv 3.6% (what the table used to say: not)
    const noisy = points(37.5);
    expect(resultsTable(exp, noisy)).toMatch(/^2 +1038 .*noisy \(cv 5%\)$/m);
    expect(computeFindings(analyze(noisy), null).filter((f) => f.kind === 'noisy')).toHaveLength(1);
    // 1002 and 1073: sample cv 4.8%, quiet for both
    const quiet = points(35.5);
    expect(resultsTable(exp, quiet)).not.toContain('noisy');
    expect(computeFindings(analyze(quiet), null).filter((f) => f.kind === 'noisy')).toHaveLength(0);
  });
});

describe('the bytes line', () => {
  test('the log is part of what the data volume took; a counter below the log is said to miss the volume', () => {
    const counted = [point({ threads: 1 }, { deviceWriteBytes: 3 * 1024 ** 2, logBytes: 1024 ** 2 }), point({ threads: 2 }, { deviceWriteBytes: 1024 ** 2, logBytes: 1024 ** 2 })];
    expect(bytesLine(counted)).toBe('measured windows wrote 4MiB to the data volume, 2MiB of it log');
    const ram = [point({ threads: 1 }, { deviceWriteBytes: 0, logBytes: 654 * 1024 ** 2 })];
    expect(bytesLine(ram)).toBe("measured windows wrote 654MiB of log; the data volume's write counter saw 0B, less than the log alone: it does not see a RAM disk's writes (they reach no block device)");
    // the disk-bottleneck example: RAM disks beside throttled ones whose device writes behind the log
    const limits = { diskLimits: { writeBps: 1e7 } };
    const mixed = [...ram, point({ threads: 1 }, { deviceWriteBytes: 3 * 1024 ** 2, logBytes: 2 * 1024 ** 2, ...limits })];
    expect(bytesLine(mixed)).toBe("measured windows wrote 3MiB to the data volumes whose counters see them, 2MiB of it log, and 654MiB of log to volumes whose counters do not see them (a RAM disk's writes reach no block device)");
    const behind = [point({ threads: 16 }, { deviceWriteBytes: 4 * 1024 ** 2, logBytes: 5 * 1024 ** 2, ...limits })];
    expect(bytesLine(behind)).toBe("measured windows wrote 5MiB of log to throttled disks, whose devices had written 4MiB by the windows' ends (a throttled device writes behind the page cache)");
  });
});
