// Per-container counters from the engine's stats API: CPU, memory peak, and bytes read/written
// on one block device (cgroup v1 blkio io_service_bytes_recursive; on cgroup v2 the engine
// fills the same field from io.stat, with lower-case op names).
import type { ContainerRef } from '../engine/engine.js';

/** a block device, as blkio statistics key it (major:minor) */
export interface DeviceNumber {
  major: number;
  minor: number;
}

interface BlkioEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

interface RawStats {
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
  memory_stats?: { max_usage?: number; usage?: number };
  blkio_stats?: { io_service_bytes_recursive?: BlkioEntry[] | null };
}

export interface ContainerCounters {
  cpuSeconds: number;
  readBytes: number;
  writeBytes: number;
  memPeakBytes?: number;
}

/** device undefined: no block device backs the disk (tmpfs), so no device bytes */
function countersFromStats(s: RawStats, device: DeviceNumber | undefined): ContainerCounters {
  let readBytes = 0;
  let writeBytes = 0;
  for (const e of s.blkio_stats?.io_service_bytes_recursive ?? []) {
    if (!device || e.major !== device.major || e.minor !== device.minor) continue;
    const op = e.op.toLowerCase();
    if (op === 'read') readBytes += e.value;
    else if (op === 'write') writeBytes += e.value;
  }
  const out: ContainerCounters = {
    cpuSeconds: (s.cpu_stats?.cpu_usage?.total_usage ?? 0) / 1e9,
    readBytes,
    writeBytes,
  };
  // cgroup v1 reports the peak; v2 engines of this era do not
  if (s.memory_stats?.max_usage) out.memPeakBytes = s.memory_stats.max_usage;
  return out;
}

export async function containerCounters(container: ContainerRef, device: DeviceNumber | undefined): Promise<ContainerCounters> {
  return countersFromStats(await container.stats(), device);
}
