// The server container's definition (DESIGN §4).
import type { ServerSpec } from '../../types.js';
import type { ContainerSpec, HostConfig, Mount } from '../engine/engine.js';
import { IMAGE, labels, safeName } from '../engine/labels.js';
import { serverCommand, SERVER_PORT } from './command.js';
import { HARDENED, USER } from './hardening.js';
import { DATA_DIR } from './paths.js';

const MiB = 1024 ** 2;

export type Blkio = Pick<HostConfig, 'BlkioDeviceWriteBps' | 'BlkioDeviceReadBps' | 'BlkioDeviceWriteIOps' | 'BlkioDeviceReadIOps'>;

/** what a server container needs of its disk (runtime/docker/disk/provision.ts provides it) */
export interface ServerDisk {
  mounts: Mount[];
  blkio: Blkio;
  /** extra bytes of memory the container needs (tmpfs pages are charged to it) */
  memoryBytes: number;
}

/** memory for the server process itself; tmpfs disks add their size on top */
export function baseMemoryBytes(env: NodeJS.ProcessEnv = process.env): number {
  const mib = Number(env.SPEEDLAB_SERVER_MEMORY_MIB ?? 1024);
  if (!Number.isFinite(mib) || mib < 64) throw new Error(`SPEEDLAB_SERVER_MEMORY_MIB must be a number >= 64, got '${env.SPEEDLAB_SERVER_MEMORY_MIB}'`);
  return Math.round(mib * MiB);
}

/** where a server listens: its own loopback on NetworkMode none, or its engine's host network (two engines) */
export type ServerListen = { network: 'none' } | { network: 'host'; port: number; bind: string };

export function serverCreateOptions(spec: ServerSpec, disk: ServerDisk, cpuset: string, key: string, listen: ServerListen = { network: 'none' }): ContainerSpec {
  const image = spec.impl.kind === 'image' ? spec.impl.image : IMAGE;
  const memory = baseMemoryBytes() + disk.memoryBytes;
  return {
    name: safeName('speedlab', key, 'server'),
    Image: image,
    Cmd: listen.network === 'host' ? serverCommand(spec, listen.port, listen.bind) : serverCommand(spec, SERVER_PORT),
    // the course's httpserver serves its working directory
    WorkingDir: DATA_DIR,
    User: USER,
    Labels: labels(spec.runId, 'server'),
    HostConfig: {
      ...HARDENED,
      // the engine's init (docker-init) as process 1: the server is an ordinary process, killed by
      // what kills it on the student's machine (process 1 ignores the signals it has no handler
      // for, SIGPIPE and SIGTERM among them), and the init exits with its status (128 + n after signal n)
      Init: true,
      NetworkMode: listen.network,
      CpusetCpus: cpuset,
      Memory: memory,
      MemorySwap: memory,
      Mounts: disk.mounts,
      Tmpfs: { '/tmp': 'size=64m,mode=1777' },
      ...disk.blkio,
    },
  };
}
