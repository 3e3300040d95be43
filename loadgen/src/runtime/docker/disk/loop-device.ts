// Block-device numbers (the disk helper's loop devices), for blkio statistics keyed by major:minor.

/** Linux's dev_t encoding (glibc gnu_dev_major/minor), safe in doubles up to 2^53 */
export function splitDev(rdev: number): { major: number; minor: number } {
  const hi = Math.floor(rdev / 2 ** 32);
  const lo = rdev >>> 0;
  const major = ((lo >>> 8) & 0xfff) | ((hi & 0xfffff000) >>> 0);
  const minor = (lo & 0xff) | ((lo >>> 12) & 0xfff00);
  return { major, minor: minor >>> 0 };
}
