// Giving a server container its disk (DESIGN §5). The server always sees its data directory at
// DATA_DIR and its log at LOG_PATH (containers/paths.ts); what backs them depends on the profile:
//  ram        two size-capped tmpfs volumes (data, log); they count toward the memory limit
//  throttled  a RAM-backed loop device with ext4 (made by the disk helper), mounted by the
//             engine as a local volume at /disk, with blkio limits on that loop device
//  host       directories on the host's disk, bound at /disk/data and /disk/log (opt-in)
// Volumes of type tmpfs/ext4 are mounted by the engine itself, in the host's mount namespace,
// so no mount propagation is needed and the lab container needs no privileges.
import type { z } from 'zod';
import type { DiskProfile } from '../../../disk/profile.js';
import { DATA_DIR, DISK_ROOT, LOG_DIR } from '../containers/paths.js';
import type { Blkio, ServerDisk } from '../containers/server.js';
import type { DeviceNumber } from '../counters/stats.js';
import type { DockerEngine } from '../engine/engine.js';
import { labels, safeName } from '../engine/labels.js';
import { currentOwner } from '../engine/owner.js';
import { attachedSchema, deviceNumberSchema, helperResult, runHelper } from './helper.js';

/** mounts, blkio limits and memory for the server container's HostConfig, and the disk's device */
export interface ProvisionedDisk extends ServerDisk {
  profile: DiskProfile;
  /** the loop device, for throttled profiles */
  devicePath?: string;
  /** the device whose counters are the disk's I/O; none for ram */
  device?: DeviceNumber;
  /** removes everything provisioned; call after the containers using it are removed */
  release(): Promise<void>;
}

function resourceLabels(runId: string): Record<string, string> {
  return labels(runId, 'disk');
}

async function tmpfsVolume(docker: DockerEngine, name: string, sizeBytes: number, runId: string): Promise<string> {
  await docker.createVolume({
    Name: name,
    Driver: 'local',
    DriverOpts: { type: 'tmpfs', device: 'tmpfs', o: `size=${sizeBytes},uid=1000,gid=1000,mode=0755` },
    Labels: resourceLabels(runId),
  });
  return name;
}

async function provisionRam(docker: DockerEngine, p: DiskProfile, runId: string, key: string): Promise<ProvisionedDisk> {
  const data = await tmpfsVolume(docker, safeName('speedlab', key, 'data'), p.sizeBytes, runId);
  let log: string;
  try {
    log = await tmpfsVolume(docker, safeName('speedlab', key, 'log'), p.sizeBytes, runId);
  } catch (err) {
    await docker.removeVolume(data);
    throw err;
  }
  return {
    profile: p,
    mounts: [
      { Type: 'volume', Source: data, Target: DATA_DIR },
      { Type: 'volume', Source: log, Target: LOG_DIR },
    ],
    blkio: {},
    memoryBytes: 2 * p.sizeBytes,
    release: async () => {
      await Promise.all([docker.removeVolume(data), docker.removeVolume(log)]);
    },
  };
}

type Attached = z.output<typeof attachedSchema>;

function throttles(p: DiskProfile, device: string): Blkio {
  const b: Blkio = {};
  if (p.writeBps) b.BlkioDeviceWriteBps = [{ Path: device, Rate: Math.round(p.writeBps) }];
  if (p.readBps) b.BlkioDeviceReadBps = [{ Path: device, Rate: Math.round(p.readBps) }];
  if (p.writeIops) b.BlkioDeviceWriteIOps = [{ Path: device, Rate: Math.round(p.writeIops) }];
  if (p.readIops) b.BlkioDeviceReadIOps = [{ Path: device, Rate: Math.round(p.readIops) }];
  return b;
}

async function provisionThrottled(docker: DockerEngine, p: DiskProfile, runId: string, key: string): Promise<ProvisionedDisk> {
  const name = safeName('speedlab', key);
  const owner = JSON.stringify({ runId, ...currentOwner(), createdAt: new Date().toISOString() });
  const detach = () => runHelper(docker, ['detach', name], { runId });
  let attached: Attached;
  try {
    attached = await helperResult(docker, ['attach', name, String(p.sizeBytes), owner], { runId }, attachedSchema);
  } catch (err) {
    await detach().catch(() => {});
    throw new Error(`cannot provision disk '${p.name}': ${(err as Error).message}`, { cause: err });
  }
  try {
    await docker.createVolume({
      Name: name,
      Driver: 'local',
      DriverOpts: { type: 'ext4', device: attached.device },
      Labels: resourceLabels(runId),
    });
  } catch (err) {
    await detach();
    throw err;
  }
  return {
    profile: p,
    mounts: [{ Type: 'volume', Source: name, Target: DISK_ROOT }],
    blkio: throttles(p, attached.device),
    devicePath: attached.device,
    device: { major: attached.major, minor: attached.minor },
    // the loop device's page cache is the host's, not the container's: nothing extra
    memoryBytes: 0,
    release: async () => {
      await docker.removeVolume(name);
      await detach();
    },
  };
}

async function provisionHost(docker: DockerEngine, p: DiskProfile, runId: string, key: string): Promise<ProvisionedDisk> {
  const root = p.path;
  if (!root) throw new Error(`disk '${p.name}' (kind host) needs a path`);
  process.emitWarning(
    `disk '${p.name}' writes to the host's real disk under ${root}: on an SSD this wears it out; prefer a throttled profile`,
    { code: 'SPEEDLAB_HOST_DISK' },
  );
  const sub = safeName('speedlab', key);
  const dev = await helperResult(docker, ['prepare-host', `/${sub}`], { runId, hostDir: root }, deviceNumberSchema);
  return {
    profile: p,
    mounts: [
      { Type: 'bind', Source: `${root}/${sub}/data`, Target: DATA_DIR },
      { Type: 'bind', Source: `${root}/${sub}/log`, Target: LOG_DIR },
    ],
    blkio: {},
    device: dev,
    memoryBytes: 0,
    release: async () => {
      await runHelper(docker, ['remove-host', `/${sub}`], { runId, hostDir: root });
    },
  };
}

/** key names this disk's resources; unique per server start (e.g. run id + a counter) */
export async function provisionDisk(docker: DockerEngine, p: DiskProfile, runId: string, key: string): Promise<ProvisionedDisk> {
  switch (p.kind) {
    case 'ram':
      return provisionRam(docker, p, runId, key);
    case 'throttled':
      return provisionThrottled(docker, p, runId, key);
    case 'host':
      return provisionHost(docker, p, runId, key);
  }
}

