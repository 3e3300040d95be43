// Throttles verified before the first point (DESIGN §5): a throttled profile whose calibration
// wrote (or read) directly faster than its limit allows, whose limit the engine said it
// discarded, or whose limit the kernel does not hold in the container's cgroup, is not the disk the experiment asked for. Its points would report findings about a
// disk that was never throttled, so `run` stops unless --allow-unthrottled, and then every point
// on that profile carries the reason (points.jsonl `unthrottled`, marked in the report).
import type { Experiment } from '../experiment/experiment.js';
import { points } from '../experiment/grid.js';
import type { Calibration, RunEngine } from '../results/record.js';

/** how far a direct rate may exceed its limit before the limit counts as not applied */
const THROTTLE_TOLERANCE = 0.3;

const MiB = 1024 ** 2;

interface Unthrottled {
  disk: string;
  /** the limit and the rate, in words: "write limit 40.0 MB/s, measured 1210.3 MB/s direct" */
  what: string;
  /** the likely reason, from the engine's warnings and what it is */
  reason: string;
}

const mbps = (bytesPerS: number) => `${(bytesPerS / 1e6).toFixed(1)} MB/s`;

/** the limits a calibration shows were not applied, in words; empty when all held */
function exceeded(c: Calibration): string[] {
  const out: string[] = [];
  const check = (kind: string, limit: number | undefined, mibps: number | undefined) => {
    if (limit === undefined || mibps === undefined || !Number.isFinite(mibps)) return;
    if (mibps * MiB > limit * (1 + THROTTLE_TOLERANCE)) out.push(`${kind} limit ${mbps(limit)}, measured ${mbps(mibps * MiB)} direct`);
  };
  check('write', c.limits?.writeBps, c.directWriteMiBps);
  check('read', c.limits?.readBps, c.directReadMiBps);
  return out;
}

/** the configured limits the kernel did not hold for the device (when the cgroup files were read) */
function notHeld(c: Calibration): string[] {
  if (!c.limits || !c.heldLimits) return [];
  return (['writeBps', 'readBps', 'writeIops', 'readIops'] as const).filter((k) => c.limits![k] !== undefined && c.heldLimits![k] === undefined);
}

/** the engine's words when it dropped a disk limit (e.g. "Block I/O BPS write limit discarded") */
function droppedLimits(c: Calibration): string[] {
  return (c.warnings ?? []).filter((w) => /block i\/o|blkio|\bio\b.*(limit|weight)|discarded/i.test(w));
}

function likelyReason(dropped: string[], missing: string[], engine: RunEngine | undefined): string {
  if (dropped.length > 0) return `the Docker engine discarded the limit ("${dropped[0]}"${dropped.length > 1 ? ` and ${dropped.length - 1} more` : ''})`;
  if (missing.length > 0) return `the container's cgroup holds no ${missing.join(', ')} limit for the disk's device (cgroup v${engine?.cgroupVersion ?? '?'}: ${engine?.cgroupVersion === 2 ? 'io.max' : 'blkio.throttle.*_device'})`;
  if (engine?.rootless) return `the engine is rootless Docker, which cannot set disk limits${engine.cgroupVersion === 1 ? ' on cgroup v1' : ' unless systemd delegates the io controller to the user'}`;
  if (engine?.cgroupVersion === 2) return "the io controller is not enabled for the containers' cgroups (cgroup v2: 'io' missing from cgroup.subtree_control), or the engine runs in a VM whose disk layer the limit does not reach";
  return "the limit is on a device the writes do not reach (a VM's or a storage layer's), or the kernel's blkio throttling is off";
}

/** every throttled profile of the run whose limits did not hold (with what the engine is, for the reason) */
export function checkThrottles(exp: Experiment, calibration: readonly Calibration[], engine: RunEngine | undefined): Unthrottled[] {
  const used = new Set(points(exp).map((p) => p.params.disk));
  return calibration.flatMap((c) => {
    if (!used.has(c.disk) || exp.disks[c.disk]?.kind !== 'throttled') return [];
    const over = exceeded(c);
    const dropped = droppedLimits(c);
    const missing = notHeld(c);
    if (over.length === 0 && dropped.length === 0 && missing.length === 0) return [];
    return [{ disk: c.disk, what: over.length > 0 ? over.join('; ') : 'limit not applied', reason: likelyReason(dropped, missing, engine) }];
  });
}

/** one line per profile, for the refusal and for --allow-unthrottled's note */
export function unthrottledLine(u: Unthrottled): string {
  return `disk '${u.disk}' is not throttled: ${u.what}; likely: ${u.reason}`;
}
