// Disk profiles: presets and resolution for the experiment schema; provisioning and calibration
// for the docker runtime.
export { DISK_PRESETS, PRESET_NAMES, DEFAULT_HOST_PATH, resolveDisk, diskLimits } from './presets.js';
export { UnknownDiskError } from '../errors.js';
export type { CustomDisk } from './presets.js';
