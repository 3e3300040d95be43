// Results the compose lab writes as root go to the owner of the directory they land in.
import { chownSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { giveToParentOwner } from '../../src/results/ownership.js';

describe.skipIf(process.getuid?.() !== 0)('run directory ownership (as root)', () => {
  it('hands a run directory to the owner of the results directory', () => {
    const results = mkdtempSync(path.join(tmpdir(), 'speedlab-owner-'));
    try {
      chownSync(results, 1234, 2345);
      const run = path.join(results, 'quick-20260101T000000Z');
      mkdirSync(path.join(run, 'sub'), { recursive: true });
      for (const f of ['points.jsonl', 'report.html', 'sub/x']) writeFileSync(path.join(run, f), 'x');
      giveToParentOwner(run);
      for (const f of ['', 'points.jsonl', 'report.html', 'sub', 'sub/x']) {
        const st = statSync(path.join(run, f));
        expect([st.uid, st.gid], f).toEqual([1234, 2345]);
      }
      // a root-owned results directory: nothing changes
      chownSync(results, 0, 0);
      writeFileSync(path.join(run, 'new'), 'x');
      giveToParentOwner(run);
      expect(statSync(path.join(run, 'new')).uid).toBe(0);
    } finally {
      rmSync(results, { recursive: true, force: true });
    }
  });
});
