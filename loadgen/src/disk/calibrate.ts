// What every runtime's calibration of a disk profile writes: calibrate-main.ts measures it, in the
// profile's own disk (runtime/docker/disk/calibrate.ts) or in /dev/shm (runtime/local/calibrate.ts).
import type { DiskProfile } from './profile.js';

const MiB = 1024 ** 2;

/** about `seconds` of writing at the slowest configured write rate, within what the disk holds */
export function calibrationMiB(p: DiskProfile, seconds = 3): number {
  const byRate = p.writeBps ? (p.writeBps * seconds) / MiB : 64;
  // one file at a time, but leave room for ext4's own blocks
  const bySize = (p.sizeBytes * 0.6) / MiB;
  return Math.max(1, Math.floor(Math.min(64, Math.max(8, byRate), bySize)));
}

/**
 * How many times the direct write and the direct read go over the calibration's file: enough for
 * a second of I/O at the profile's limit. The kernel's throttle lets a first slice's worth (100 ms
 * at the limit) through at once, so one pass over a file a small profile can hold (a few MiB)
 * would measure that burst, not the limit, and a held 200 MB/s limit would read as not applied.
 */
export function calibrationPasses(p: DiskProfile, mib: number, seconds = 1): { write: number; read: number } {
  const passes = (bps: number | undefined) => Math.max(1, Math.min(64, Math.ceil(((bps ?? 0) * seconds) / (mib * MiB))));
  return { write: passes(p.writeBps), read: passes(p.readBps) };
}
