// Measuring what a disk profile really delivers (DESIGN §5): direct, buffered and
// buffered+fsync writes and a read after dropping the file's cache, in a container that gets
// the disk exactly as a server would (same mounts, same limits).
import type Docker from 'dockerode';
import type { Calibration } from '../results/record.js';
import { HARDENED, USER } from '../runtime/docker-hardening.js';
import { IMAGE, labels, safeName } from '../runtime/docker-labels.js';
import { runToCompletion } from '../runtime/docker-run.js';
import { baseMemoryBytes } from '../runtime/docker-server.js';
import type { DiskProfile } from '../runtime/types.js';
import { diskLimits } from './presets.js';
import { DATA_DIR, provisionDisk } from './provision.js';

const MiB = 1024 ** 2;

/** about `seconds` of writing at the slowest configured write rate, within what the disk holds */
export function calibrationMiB(p: DiskProfile, seconds = 3): number {
  const byRate = p.writeBps ? (p.writeBps * seconds) / MiB : 64;
  // one file at a time, but leave room for ext4's own blocks
  const bySize = (p.sizeBytes * 0.6) / MiB;
  return Math.max(1, Math.floor(Math.min(64, Math.max(8, byRate), bySize)));
}

export interface CalibrateOptions {
  runId: string;
  cpuset?: string;
  mib?: number;
  signal?: AbortSignal;
}

export async function calibrateDisk(docker: Docker, p: DiskProfile, opts: CalibrateOptions): Promise<Calibration> {
  const key = safeName(opts.runId, 'calibrate', p.name);
  const disk = await provisionDisk(docker, p, opts.runId, key);
  try {
    const mib = opts.mib ?? calibrationMiB(p);
    const memory = baseMemoryBytes() + disk.memoryBytes;
    const out = await runToCompletion(
      docker,
      {
        name: safeName('speedlab', key),
        Image: IMAGE,
        Cmd: ['node', '/app/dist/loadgen/src/disk/calibrate-main.js', DATA_DIR, String(mib)],
        User: USER,
        Labels: labels(opts.runId, 'calibrate'),
        HostConfig: {
          ...HARDENED,
          NetworkMode: 'none',
          Memory: memory,
          MemorySwap: memory,
          Mounts: disk.mounts,
          ...(opts.cpuset ? { CpusetCpus: opts.cpuset } : {}),
          ...disk.blkio,
        },
      },
      opts.signal,
    );
    if (out.exitCode !== 0) throw new Error(`calibration of '${p.name}' failed: ${out.stderr.trim() || `exit ${out.exitCode}`}`);
    const measured = JSON.parse(out.stdout.trim().split('\n').pop() ?? '{}') as Omit<Calibration, 'disk' | 'limits'>;
    const limits = diskLimits(p);
    return { disk: p.name, ...measured, ...(limits ? { limits } : {}) };
  } finally {
    await disk.release();
  }
}
