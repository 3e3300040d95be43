// The host's real disk: the block device that backs `/` (e.g. vda) and how many bytes it has
// written so far, from /sys/dev/block/MAJ:MIN/stat. The counter is the whole host's, every
// process included, so a run reports it as context beside the server's own block writes.
import { readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';

const SECTOR = 512;

export interface HostDiskCounter {
  /** e.g. 'vda' */
  device: string;
  writeBytes: number;
}

/** MAJ:MIN of the filesystem mounted at `/`, when it is a block device */
function rootDeviceNumber(mountinfo: string): string | undefined {
  for (const line of mountinfo.split('\n')) {
    const f = line.split(' ');
    if (f[4] === '/') return f[2];
  }
  return undefined;
}

/** sectors written: the 7th field of a block device's stat file */
export function writtenBytesFromStat(stat: string): number | undefined {
  const sectors = Number(stat.trim().split(/\s+/)[6]);
  return Number.isFinite(sectors) ? sectors * SECTOR : undefined;
}

export function hostDiskCounter(): HostDiskCounter | undefined {
  try {
    const dev = rootDeviceNumber(readFileSync('/proc/self/mountinfo', 'utf8'));
    if (!dev || dev.startsWith('0:')) return undefined; // overlay, tmpfs: no block device to ask
    const sys = `/sys/dev/block/${dev}`;
    const writeBytes = writtenBytesFromStat(readFileSync(`${sys}/stat`, 'utf8'));
    return writeBytes === undefined ? undefined : { device: path.basename(readlinkSync(sys)), writeBytes };
  } catch {
    return undefined;
  }
}
