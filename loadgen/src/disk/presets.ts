// Disk profiles by name (DESIGN §5). The throttled presets model real devices with a
// RAM-backed loop device whose cgroup limits are the device's sequential rates and IOPS.
import { UnknownDiskError } from '../errors.js';
import type { DiskProfile } from './profile.js';

const MB = 1e6;
const GiB = 1024 ** 3;

const DEFAULT_HOST_PATH = '/var/tmp/speedlab-host';

export const DISK_PRESETS: Readonly<Record<string, Readonly<DiskProfile>>> = {
  /** size-capped tmpfs: nothing touches a real disk; no device, so no throttle */
  ram: { name: 'ram', kind: 'ram', sizeBytes: 1 * GiB },
  /**
   * a 7200 rpm SATA disk. Random: 8.5 ms average seek + 4.2 ms half a turn = 79 operations/s at
   * queue depth 1; NCQ's reordering brings a busy queue to ~150/s. Sequential: ~160 MB/s on the
   * outer tracks down to ~75 MB/s on the inner ones. The lab's limits must agree with each other:
   * with both set, the block layer charges a 1 MiB direct write as two 512 KiB operations, so 150
   * IOPS carry at most 150 × 512 KiB = 78.6 MB/s (measured: the old 120 MB/s limit was never
   * reached, 1 MiB direct writes stopped at 78 MiB/s). Hence the inner-track 75 MB/s: large writes
   * meet the bandwidth limit, small ones (4 KiB PUTs, fsyncs) the operation limit.
   */
  hdd: { name: 'hdd', kind: 'throttled', sizeBytes: 2 * GiB, writeBps: 75 * MB, readBps: 75 * MB, writeIops: 150, readIops: 150 },
  /** a SATA SSD: the interface caps it near 500 MB/s */
  'sata-ssd': { name: 'sata-ssd', kind: 'throttled', sizeBytes: 2 * GiB, writeBps: 480 * MB, readBps: 530 * MB, writeIops: 80_000, readIops: 90_000 },
  /** a class-10 / A1 SD card: 10 MB/s sustained writes, A1's 500 write / 1500 read IOPS */
  'sd-card': { name: 'sd-card', kind: 'throttled', sizeBytes: 1 * GiB, writeBps: 10 * MB, readBps: 80 * MB, writeIops: 500, readIops: 1500 },
  /** a directory on the host's real disk: opt-in only, it wears an SSD */
  host: { name: 'host', kind: 'host', sizeBytes: 4 * GiB, path: DEFAULT_HOST_PATH },
};

export const PRESET_NAMES = Object.keys(DISK_PRESETS);

/** an experiment's own profile (the `disks:` map), sizes already in bytes */
interface CustomDisk {
  kind: DiskProfile['kind'];
  size: number;
  writeBps?: number;
  readBps?: number;
  writeIops?: number;
  readIops?: number;
  path?: string;
}

/** what is wrong with an experiment's own profile, by field (the experiment's resolver reports each) */
export function customDiskProblems(c: CustomDisk): { field: keyof CustomDisk; message: string }[] {
  const problems: { field: keyof CustomDisk; message: string }[] = [];
  const limits = (['writeBps', 'readBps', 'writeIops', 'readIops'] as const).filter((k) => c[k] !== undefined);
  if (c.kind !== 'throttled') {
    for (const k of limits) problems.push({ field: k, message: `limits apply to kind: throttled only (this profile is ${c.kind})` });
  } else if (limits.length === 0) {
    problems.push({ field: 'kind', message: 'kind throttled needs at least one of writeBps, readBps, writeIops, readIops' });
  }
  if (c.kind !== 'host' && c.path !== undefined) problems.push({ field: 'path', message: 'path is only for kind: host' });
  if (c.path !== undefined && !c.path.startsWith('/')) problems.push({ field: 'path', message: `path must be absolute, got '${c.path}'` });
  return problems;
}

function checkCustom(name: string, c: CustomDisk): void {
  const first = customDiskProblems(c)[0];
  if (first) throw new Error(`disk '${name}': ${first.message}`);
}

/** the profile a name stands for: the experiment's own definition first, then the presets */
export function resolveDisk(name: string, custom?: CustomDisk): DiskProfile {
  if (custom) {
    checkCustom(name, custom);
    const p: DiskProfile = { name, kind: custom.kind, sizeBytes: custom.size };
    for (const k of ['writeBps', 'readBps', 'writeIops', 'readIops', 'path'] as const) {
      if (custom[k] !== undefined) Object.assign(p, { [k]: custom[k] });
    }
    if (p.kind === 'host' && p.path === undefined) p.path = DEFAULT_HOST_PATH;
    return p;
  }
  const preset = DISK_PRESETS[name];
  if (!preset) throw new UnknownDiskError(name, PRESET_NAMES);
  return { ...preset };
}

/** the configured limits of a profile, as results record them */
export function diskLimits(p: DiskProfile): { writeBps?: number; readBps?: number; writeIops?: number; readIops?: number } | undefined {
  if (p.kind !== 'throttled') return undefined;
  const out: Record<string, number> = {};
  for (const k of ['writeBps', 'readBps', 'writeIops', 'readIops'] as const) if (p[k] !== undefined) out[k] = p[k];
  return out;
}

