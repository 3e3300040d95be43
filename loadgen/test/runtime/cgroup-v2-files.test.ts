// cgroup v2 counters and limits through the run's own path (locateCgroup under
// SPEEDLAB_HOST_CGROUP, then cgroupCounters and cgroupLimits), on a v2 hierarchy of real files:
// cpu.stat copied byte for byte from this kernel's cgroup2 mount (a hybrid host's unified tree),
// io.stat, io.max, memory.peak and memory.events byte for byte in the formats of the kernel's
// documentation (Documentation/admin-guide/cgroup-v2.rst: this host's io and memory controllers
// are on v1, so it has no such files of its own).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cgroupCounters, cgroupLimits, locateCgroup } from '../../src/runtime/docker/counters/cgroup.js';
import { tempDir } from '../fixtures/cli.js';

const root = tempDir('speedlab-cgroup-v2-');
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => {
  delete process.env.SPEEDLAB_HOST_CGROUP;
});

const ID = 'c0ffee'.padEnd(64, '0');
const REAL_CPU_STAT = '/sys/fs/cgroup/unified/cpu.stat';

// the documentation's examples, as the files hold them (no indentation, a newline per line)
const IO_STAT = '8:16 rbytes=1459200 wbytes=314773504 rios=192 wios=353 dbytes=0 dios=0\n8:0 rbytes=90430464 wbytes=299008000 rios=8950 wios=1252 dbytes=50331648 dios=3021\n';
const IO_MAX = '8:16 rbps=2097152 wbps=max riops=max wiops=120\n';
const MEMORY_PEAK = '314572800\n';
const MEMORY_EVENTS = 'low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n';
const CPU_STAT_DOC = 'usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\nnr_bursts 0\nburst_usec 0\n';

/** a v2 hierarchy as the systemd cgroup driver lays it out: <root>/system.slice/docker-<id>.scope */
function hierarchy(name: string, cpuStat: (file: string) => void): string {
  const top = path.join(root, name);
  const dir = path.join(top, 'system.slice', `docker-${ID}.scope`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(top, 'cgroup.controllers'), 'cpuset cpu io memory hugetlb pids rdma misc\n');
  cpuStat(path.join(dir, 'cpu.stat'));
  writeFileSync(path.join(dir, 'io.stat'), IO_STAT);
  writeFileSync(path.join(dir, 'io.max'), IO_MAX);
  writeFileSync(path.join(dir, 'memory.peak'), MEMORY_PEAK);
  writeFileSync(path.join(dir, 'memory.events'), MEMORY_EVENTS);
  return top;
}

describe('cgroup v2 files, read as a run reads them', () => {
  it('the documented formats: CPU, one device\'s bytes, the peak, and the limits the kernel holds', () => {
    process.env.SPEEDLAB_HOST_CGROUP = hierarchy('doc', (f) => writeFileSync(f, CPU_STAT_DOC));
    const cg = locateCgroup(ID);
    expect(cg).toEqual({ version: 2, dirs: { '': path.join(root, 'doc', 'system.slice', `docker-${ID}.scope`) } });
    expect(cgroupCounters(cg!, { major: 8, minor: 16 })).toEqual({ cpuSeconds: 2.5, readBytes: 1459200, writeBytes: 314773504, memPeakBytes: 314572800 });
    expect(cgroupCounters(cg!, { major: 8, minor: 0 })).toMatchObject({ readBytes: 90430464, writeBytes: 299008000 });
    // a device the container never touched: no bytes, not an error
    expect(cgroupCounters(cg!, { major: 7, minor: 3 })).toMatchObject({ readBytes: 0, writeBytes: 0 });
    // 'max' is no limit: only rbps and wiops are held
    expect(cgroupLimits(cg!, { major: 8, minor: 16 })).toEqual({ readBps: 2097152, writeIops: 120 });
    expect(cgroupLimits(cg!, { major: 8, minor: 0 })).toEqual({});
  });

  it.skipIf(!existsSync(REAL_CPU_STAT))("this kernel's own cpu.stat, byte for byte", () => {
    // read and written whole: copyFileSync copies nothing from a pseudo-file that reports size 0
    const top = hierarchy('real', (f) => writeFileSync(f, readFileSync(REAL_CPU_STAT)));
    const copied = readFileSync(path.join(top, 'system.slice', `docker-${ID}.scope`, 'cpu.stat'), 'utf8');
    const usec = Number(/^usage_usec (\d+)$/m.exec(copied)?.[1]);
    expect(usec).toBeGreaterThan(0);
    process.env.SPEEDLAB_HOST_CGROUP = top;
    expect(cgroupCounters(locateCgroup(ID)!, undefined)).toEqual({ cpuSeconds: usec / 1e6, readBytes: 0, writeBytes: 0, memPeakBytes: 314572800 });
  });

  it('a v2 cgroup without io.max (no io controller delegated): the limits are unknown, not absent', () => {
    const top = hierarchy('no-io', (f) => writeFileSync(f, CPU_STAT_DOC));
    rmSync(path.join(top, 'system.slice', `docker-${ID}.scope`, 'io.max'));
    process.env.SPEEDLAB_HOST_CGROUP = top;
    expect(cgroupLimits(locateCgroup(ID)!, { major: 8, minor: 16 })).toBeUndefined();
  });
});
