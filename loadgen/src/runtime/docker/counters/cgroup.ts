// Container counters read straight from the engine's cgroup files. The stats API answers on its
// collector's next one-second tick (one-shot included), so each snapshot cost up to a second
// (measured: ~0.9 s, ten snapshots per point). Where this process sees the engine host's cgroup
// file system (the lab on that host, or the compose lab with it mounted at SPEEDLAB_HOST_CGROUP)
// the same counters are read at once, at the exact moment asked for. Elsewhere (a remote engine)
// locateCgroup finds nothing and the caller uses the stats API.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerCounters, DeviceNumber } from './stats.js';

function hostCgroupRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.SPEEDLAB_HOST_CGROUP || '/sys/fs/cgroup';
}

export interface CgroupDirs {
  version: 1 | 2;
  /** v1: controller -> directory; v2: the one unified directory under '' */
  dirs: Record<string, string>;
}

/** the engine's default parents: cgroupfs driver (docker/<id>) and systemd driver (docker-<id>.scope) */
function candidates(id: string): string[] {
  return [join('docker', id), join('system.slice', `docker-${id}.scope`)];
}

export function locateCgroup(id: string, root = hostCgroupRoot()): CgroupDirs | undefined {
  if (!/^[0-9a-f]{64}$/.test(id)) return undefined;
  if (existsSync(join(root, 'cgroup.controllers'))) {
    for (const rel of candidates(id)) {
      if (existsSync(join(root, rel, 'cpu.stat'))) return { version: 2, dirs: { '': join(root, rel) } };
    }
    return undefined;
  }
  for (const rel of candidates(id)) {
    const cpu = join(root, 'cpuacct', rel);
    if (!existsSync(join(cpu, 'cpuacct.usage'))) continue;
    return { version: 1, dirs: { cpuacct: cpu, blkio: join(root, 'blkio', rel), memory: join(root, 'memory', rel) } };
  }
  return undefined;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Bytes the block layer wrote on behalf of the container's processes (/proc/PID/io write_bytes,
 * summed over cgroup.procs), as the local runtime counts its server. Written pages are charged
 * to the writer when they are dirtied, so this counts buffered writes too, which cgroup v1's
 * blkio files miss (writeback there is charged to the root group). Undefined where this process
 * cannot see the container's processes under those PIDs: another PID namespace (the compose lab),
 * where /proc/PID would be some other process, is told apart by the PID's own cgroup file.
 */
export function cgroupWriteBytes(cg: CgroupDirs, containerId: string): number | undefined {
  const procs = read(join(cg.version === 1 ? cg.dirs.cpuacct! : cg.dirs['']!, 'cgroup.procs'));
  if (procs === undefined) return undefined;
  let sum = 0;
  for (const pid of procs.split('\n').filter((l) => /^\d+$/.test(l))) {
    if (!read(`/proc/${pid}/cgroup`)?.includes(containerId)) return undefined;
    const bytes = /^write_bytes: (\d+)$/m.exec(read(`/proc/${pid}/io`) ?? '')?.[1];
    if (bytes === undefined) return undefined;
    sum += Number(bytes);
  }
  return sum;
}

/** the names the engine's init runs under (docker-init is tini) */
const INITS = new Set(['docker-init', 'tini', 'tini-static']);

/**
 * The container's processes under this machine's PIDs (cgroup.procs), for the thread sampler; or
 * why they cannot be read from here: a PID of another namespace is told apart as cgroupWriteBytes does.
 */
export function cgroupProcesses(cg: CgroupDirs, containerId: string): number[] | string {
  const procs = read(join(cg.version === 1 ? cg.dirs.cpuacct! : cg.dirs['']!, 'cgroup.procs'));
  if (procs === undefined) return `the container's cgroup.procs could not be read (the container has stopped)`;
  const pids = procs.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
  if (pids.length > 0 && !read(`/proc/${pids[0]}/cgroup`)?.includes(containerId)) {
    return "the container's processes are in another PID namespace than the lab's (the lab runs in a container), so their /proc cannot be read";
  }
  // the engine's init (server containers run with one) is not the server
  return pids.filter((pid) => !INITS.has(read(`/proc/${pid}/comm`)?.trim() ?? ''));
}

/** "7:3 Read 4096" lines of a v1 blkio file, for one device */
export function blkioV1(text: string, device: DeviceNumber): { entries: number; read: number; write: number } {
  let entries = 0;
  let r = 0;
  let w = 0;
  for (const line of text.split('\n')) {
    const m = /^(\d+):(\d+) (\w+) (\d+)$/.exec(line.trim());
    if (!m) continue;
    entries++;
    if (Number(m[1]) !== device.major || Number(m[2]) !== device.minor) continue;
    if (m[3] === 'Read') r += Number(m[4]);
    else if (m[3] === 'Write') w += Number(m[4]);
  }
  return { entries, read: r, write: w };
}

/** "7:3 rbytes=1 wbytes=2 ..." lines of v2 io.stat, for one device */
export function ioStatV2(text: string, device: DeviceNumber): { read: number; write: number } {
  for (const line of text.split('\n')) {
    const [dev, ...fields] = line.trim().split(/\s+/);
    if (dev !== `${device.major}:${device.minor}`) continue;
    const kv = Object.fromEntries(fields.map((f) => f.split('=') as [string, string]));
    return { read: Number(kv.rbytes ?? 0), write: Number(kv.wbytes ?? 0) };
  }
  return { read: 0, write: 0 };
}

/** the counters the stats API would give (stats.ts), or undefined when the files are gone */
export function cgroupCounters(cg: CgroupDirs, device: DeviceNumber | undefined): ContainerCounters | undefined {
  if (cg.version === 1) {
    const usage = read(join(cg.dirs.cpuacct!, 'cpuacct.usage'));
    if (usage === undefined) return undefined;
    const out: ContainerCounters = { cpuSeconds: Number(usage) / 1e9, readBytes: 0, writeBytes: 0 };
    if (device) {
      // as runc does: the CFQ/BFQ statistics when the scheduler keeps them, else the throttle layer's
      const cfq = blkioV1(read(join(cg.dirs.blkio!, 'blkio.io_service_bytes_recursive')) ?? '', device);
      const io = cfq.entries > 0 ? cfq : blkioV1(read(join(cg.dirs.blkio!, 'blkio.throttle.io_service_bytes_recursive')) ?? '', device);
      out.readBytes = io.read;
      out.writeBytes = io.write;
    }
    const peak = Number(read(join(cg.dirs.memory!, 'memory.max_usage_in_bytes')));
    if (peak > 0) out.memPeakBytes = peak;
    return out;
  }
  const dir = cg.dirs['']!;
  const cpu = read(join(dir, 'cpu.stat'));
  if (cpu === undefined) return undefined;
  const usec = Number(/^usage_usec (\d+)$/m.exec(cpu)?.[1] ?? 0);
  const out: ContainerCounters = { cpuSeconds: usec / 1e6, readBytes: 0, writeBytes: 0 };
  if (device) {
    const io = ioStatV2(read(join(dir, 'io.stat')) ?? '', device);
    out.readBytes = io.read;
    out.writeBytes = io.write;
  }
  const peak = Number(read(join(dir, 'memory.peak')));
  if (peak > 0) out.memPeakBytes = peak;
  return out;
}

export interface HeldLimits { writeBps?: number; readBps?: number; writeIops?: number; readIops?: number }

/** "7:3 10000000" lines of a v1 blkio.throttle.*_device file: the value for one device */
function throttleV1(text: string | undefined, device: DeviceNumber): number | undefined {
  for (const line of (text ?? '').split('\n')) {
    const m = /^(\d+):(\d+) (\d+)$/.exec(line.trim());
    if (m && Number(m[1]) === device.major && Number(m[2]) === device.minor) return Number(m[3]);
  }
  return undefined;
}

/** "7:3 rbps=2097152 wbps=max riops=max wiops=120" lines of v2 io.max, for one device ('max' is no limit) */
function ioMaxV2(text: string, device: DeviceNumber): HeldLimits {
  for (const line of text.split('\n')) {
    const [dev, ...fields] = line.trim().split(/\s+/);
    if (dev !== `${device.major}:${device.minor}`) continue;
    const kv = Object.fromEntries(fields.map((f) => f.split('=') as [string, string]));
    const value = (k: string) => (kv[k] === undefined || kv[k] === 'max' ? undefined : Number(kv[k]));
    const out: HeldLimits = { writeBps: value('wbps'), readBps: value('rbps'), writeIops: value('wiops'), readIops: value('riops') };
    return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
  }
  return {};
}

/**
 * the disk limits the kernel holds for the container on one device (v2 io.max; v1
 * blkio.throttle.*_device), or undefined when the files are not there to read: what the engine
 * really applied, whatever it was asked for
 */
export function cgroupLimits(cg: CgroupDirs, device: DeviceNumber): HeldLimits | undefined {
  if (cg.version === 2) {
    const text = read(join(cg.dirs['']!, 'io.max'));
    return text === undefined ? undefined : ioMaxV2(text, device);
  }
  const file = (name: string) => read(join(cg.dirs.blkio!, `blkio.throttle.${name}_device`));
  const files = { writeBps: file('write_bps'), readBps: file('read_bps'), writeIops: file('write_iops'), readIops: file('read_iops') };
  if (Object.values(files).every((t) => t === undefined)) return undefined;
  const out: HeldLimits = {};
  for (const [k, text] of Object.entries(files) as Array<[keyof HeldLimits, string | undefined]>) {
    const v = throttleV1(text, device);
    if (v !== undefined) out[k] = v;
  }
  return out;
}
