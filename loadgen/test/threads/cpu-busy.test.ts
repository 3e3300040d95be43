// The CPUs' busy cores from two readings of /proc/stat (the first a copy of this machine's).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { busyCores, parseCpuList, parseCpuTimes } from '../../src/threads/cpu-busy.js';

const before = readFileSync(new URL('./fixtures/proc-stat', import.meta.url), 'utf8');

describe('busy cores from /proc/stat', () => {
  it('reads busy and total ticks per CPU, the all-CPU line left out', () => {
    const [, cpu0, cpu1] = before.trim().split('\n').map((l) => l.split(/\s+/).slice(1).map(Number));
    const sum = (xs: number[], idx: number[]) => idx.reduce((s, i) => s + xs[i]!, 0);
    const times = parseCpuTimes(before);
    expect([...times.keys()]).toEqual([0, 1]);
    expect(times.get(0)).toEqual([sum(cpu0!, [0, 1, 2, 5, 6, 7]), sum(cpu0!, [0, 1, 2, 3, 4, 5, 6, 7])]);
    expect(times.get(1)).toEqual([sum(cpu1!, [0, 1, 2, 5, 6, 7]), sum(cpu1!, [0, 1, 2, 3, 4, 5, 6, 7])]);
  });

  it('counts cores busy over the machine or a cpuset between two readings', () => {
    const a = parseCpuTimes('cpu  0 0 0 0\ncpu0 100 0 0 900 0 0 0 0\ncpu1 100 0 0 900 0 0 0 0\n');
    // cpu0 fully busy for 100 ticks, cpu1 a quarter busy
    const b = parseCpuTimes('cpu  0 0 0 0\ncpu0 150 0 50 900 0 0 0 0\ncpu1 110 0 10 975 5 0 0 0\n');
    expect(busyCores(a, b)).toBe(1.2);
    expect(busyCores(a, b, [0])).toBe(1);
    expect(busyCores(a, b, [1])).toBe(0.2);
    expect(busyCores(a, a)).toBeNaN();
  });

  it('reads a cpuset list', () => {
    expect(parseCpuList('0-3,6')).toEqual([0, 1, 2, 3, 6]);
    expect(parseCpuList('1')).toEqual([1]);
  });
});
