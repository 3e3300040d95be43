// The lab's process keeps to the load generator's CPUs (threads/pin.ts), checked in a child
// process so that this test's own process keeps all of its CPUs.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../fixtures/cli.js';

const PIN = path.join(ROOT, 'dist/loadgen/src/threads/pin.js');

function pinInChild(cpuList: string): unknown {
  const js = `const m = await import(${JSON.stringify(PIN)}); console.log(JSON.stringify([m.keepThisProcessTo(${JSON.stringify(cpuList)}), m.keepThisProcessTo('0-1')]));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', js], { encoding: 'utf8' }));
}

describe('keepThisProcessTo', () => {
  it('pins every thread of the process to the list, reads it back from the kernel, and does it once', () => {
    expect(pinInChild('0')).toEqual([{ cpuList: '0' }, { cpuList: '0' }]);
  });

  it('a list the machine does not have: why, in words', () => {
    const [first] = pinInChild('4095') as [{ problem: string }];
    expect(first.problem).toMatch(/^the lab's process could not keep to the load generator's CPUs 4095: taskset: .*(Invalid argument|failed)/);
  });
});
