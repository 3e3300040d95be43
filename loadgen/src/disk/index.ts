// Disk profiles: presets and resolution for the experiment schema. What gives a server its disk
// is the runtime's: runtime/docker/disk (provisioning, calibration), runtime/local (/dev/shm).
export { DISK_PRESETS, PRESET_NAMES, DEFAULT_HOST_PATH, resolveDisk, diskLimits } from './presets.js';
export { UnknownDiskError } from '../errors.js';
export type { CustomDisk } from './presets.js';
export type { DiskProfile } from './profile.js';
