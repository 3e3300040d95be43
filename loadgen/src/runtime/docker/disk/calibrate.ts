// Measuring what a disk profile really delivers (DESIGN §5): direct, buffered and
// buffered+fsync writes and a read after dropping the file's cache, in a container that gets
// the disk exactly as a server would (same mounts, same limits).
import { calibrationMiB, calibrationPasses } from '../../../disk/calibrate.js';
import { diskLimits } from '../../../disk/presets.js';
import type { DiskProfile } from '../../../disk/profile.js';
import type { Calibration } from '../../../results/record.js';
import { calibrationRatesSchema } from '../../../results/schema.js';
import { lastJsonLine } from '../../../validate.js';
import { HARDENED, USER } from '../containers/hardening.js';
import { DATA_DIR } from '../containers/paths.js';
import { runToCompletion } from '../containers/run.js';
import { baseMemoryBytes } from '../containers/server.js';
import { cgroupLimits, locateCgroup, type HeldLimits } from '../counters/cgroup.js';
import type { DockerEngine } from '../engine/engine.js';
import { IMAGE, labels, safeName } from '../engine/labels.js';
import { provisionDisk } from './provision.js';

interface CalibrateOptions {
  runId: string;
  cpuset?: string;
  mib?: number;
  signal?: AbortSignal;
}

export async function calibrateDisk(docker: DockerEngine, p: DiskProfile, opts: CalibrateOptions): Promise<Calibration> {
  const key = safeName(opts.runId, 'calibrate', p.name);
  const disk = await provisionDisk(docker, p, opts.runId, key);
  try {
    const mib = opts.mib ?? calibrationMiB(p);
    const passes = calibrationPasses(p, mib);
    // what the kernel holds for the disk's device while the calibration runs (where this process sees the engine's cgroups)
    let held: HeldLimits | undefined;
    const readHeld = (c: { id: string }) => {
      const cg = disk.device && locateCgroup(c.id);
      if (cg && disk.device) held = cgroupLimits(cg, disk.device);
    };
    const memory = baseMemoryBytes() + disk.memoryBytes;
    const out = await runToCompletion(
      docker,
      {
        name: safeName('speedlab', key),
        Image: IMAGE,
        Cmd: ['node', '/app/dist/loadgen/src/disk/calibrate-main.js', DATA_DIR, String(mib), String(passes.write), String(passes.read)],
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
      readHeld,
    );
    if (out.exitCode !== 0) throw new Error(`calibration of '${p.name}' failed: ${out.stderr.trim() || `exit ${out.exitCode}`}`);
    const measured = lastJsonLine(calibrationRatesSchema, out.stdout, `the calibration of '${p.name}'`);
    const limits = diskLimits(p);
    return { disk: p.name, ...measured, ...(limits ? { limits } : {}), ...(out.warnings.length > 0 && { warnings: out.warnings }), ...(held && limits && { heldLimits: held }) };
  } finally {
    await disk.release();
  }
}
