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
