// The C httpserver of examples/c-server in Docker: its experiment file at reduced scale (shorter
// windows, two thread counts), with its FROM scratch image built by its Makefile, judged by its
// thread evidence (the global lock's waiters) rather than its speedups.
// Build first: npx tsc -p .
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument, type Scalar, type YAMLSeq } from 'yaml';
import { HAVE_DOCKER, NO_ENGINE_REASON } from '../docker/engine.js';
import { runHeld, writeExperiment } from '../fixtures/cli.js';
import { C_DIR, work } from './c-server.js';

describe('the C httpserver through the lab, in Docker', () => {
  const skip = !HAVE_DOCKER;
  if (skip) console.warn(`skipping the C server in Docker: ${NO_ENGINE_REASON}`);
  it.skipIf(skip)('scaling-docker.yaml: its FROM scratch image, hardened like every server container, the global lock\'s waiters measured', async () => {
    execFileSync('make', ['-s', '-C', C_DIR, 'image'], { stdio: ['ignore', 'ignore', 'inherit'] });
    // reduced scale: shorter windows, and only the thread counts its expectations compare (1 and 8)
    const doc = parseDocument(readFileSync(path.join(C_DIR, 'scaling-docker.yaml'), 'utf8'));
    expect((doc.getIn(['sweep', 'threads']) as YAMLSeq<Scalar<number>>).items.map((i) => i.value)).toEqual([1, 2, 4, 8]);
    doc.setIn(['sweep', 'threads'], doc.createNode([1, 8], { flow: true }));
    // its findings from thread samples, not its speedups: a speedup is a ratio of two rates, which a
    // busy machine does not keep (scripts/busy-test.sh read 1.43× for the global lock once, its
    // 1-thread point slowed by a burner); the speedups are the experiment's, run on a quiet machine
    doc.set('expect', doc.createNode([
      { where: { lock: 'global' }, finding: { kind: 'lock-bound', measured: true } },
      { where: { lock: 'file' }, finding: { kind: 'lock-bound', present: false } },
      { finding: { kind: 'loadgen-bound', present: false } },
    ]));
    const file = writeExperiment(work, 'scaling-docker', doc.toString());
    const out = path.join(work, 'docker');
    const { info, points } = await runHeld(file, out, ['--runtime', 'docker', '--scale', '0.3']);
    expect(info.runtime).toBe('docker');
    expect(info.host.serverCpuset).not.toBe(info.host.loadgenCpuset);
    expect(points.map((p) => p.params.threads).sort((a, b) => a - b)).toEqual([1, 1, 1, 1, 8, 8, 8, 8]);
    expect(points.every((p) => p.outcome === 'ok' && p.params.engine === 'wrk' && !p.loadgenBound)).toBe(true);
  }, 180_000);
});
