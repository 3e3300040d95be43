// Where a server container sees its disk, whatever backs it (runtime/docker/disk/provision.ts):
// its data directory at DATA_DIR and its log at LOG_PATH.
export const DISK_ROOT = '/disk';
export const DATA_DIR = '/disk/data';
export const LOG_DIR = '/disk/log';
export const LOG_PATH = '/disk/log/server.log';
