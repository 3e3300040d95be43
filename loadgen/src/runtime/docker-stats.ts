// Per-container counters from the engine's stats API: CPU, memory peak, and bytes read/written
// on one block device (cgroup v1 blkio io_service_bytes_recursive; on cgroup v2 the engine
// fills the same field from io.stat, with lower-case op names).
import http from 'node:http';
import type Docker from 'dockerode';
import type { DeviceNumber } from '../disk/provision.js';

interface BlkioEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

export interface RawStats {
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
  memory_stats?: { max_usage?: number; usage?: number };
  blkio_stats?: { io_service_bytes_recursive?: BlkioEntry[] | null };
}

export interface ContainerCounters {
  cpuSeconds: number;
  readBytes: number;
  writeBytes: number;
  memPeakBytes?: number;
}

/** device undefined: no block device backs the disk (tmpfs), so no device bytes */
export function countersFromStats(s: RawStats, device: DeviceNumber | undefined): ContainerCounters {
  let readBytes = 0;
  let writeBytes = 0;
  for (const e of s.blkio_stats?.io_service_bytes_recursive ?? []) {
    if (!device || e.major !== device.major || e.minor !== device.minor) continue;
    const op = e.op.toLowerCase();
    if (op === 'read') readBytes += e.value;
    else if (op === 'write') writeBytes += e.value;
  }
  const out: ContainerCounters = {
    cpuSeconds: (s.cpu_stats?.cpu_usage?.total_usage ?? 0) / 1e9,
    readBytes,
    writeBytes,
  };
  // cgroup v1 reports the peak; v2 engines of this era do not
  if (s.memory_stats?.max_usage) out.memPeakBytes = s.memory_stats.max_usage;
  return out;
}

export async function containerCounters(container: Docker.Container, device: DeviceNumber | undefined): Promise<ContainerCounters> {
  const opts = { stream: false, 'one-shot': true } as unknown as { stream: false };
  const s = (await container.stats(opts)) as unknown as RawStats;
  return countersFromStats(s, device);
}

/**
 * the size of a file inside a container, from the archive API's path-stat header (works for
 * volume mounts of any image, no exec needed); 0 when the file does not exist yet
 */
export async function fileSize(docker: Docker, containerId: string, path: string): Promise<number> {
  const modem = docker.modem as unknown as { socketPath?: string; host?: string; port?: number; protocol?: string };
  const reqPath = `/containers/${encodeURIComponent(containerId)}/archive?path=${encodeURIComponent(path)}`;
  if (!modem.socketPath && modem.protocol !== 'http') {
    // over TLS/ssh, fall back to reading the tar stream's header
    return sizeFromArchive(docker, containerId, path);
  }
  const target = modem.socketPath ? { socketPath: modem.socketPath } : { host: modem.host, port: modem.port };
  const header = await new Promise<string | undefined>((resolve, reject) => {
    const req = http.request({ ...target, method: 'HEAD', path: reqPath }, (res) => {
      res.resume();
      if (res.statusCode === 404) resolve(undefined);
      else if (res.statusCode !== 200) reject(new Error(`archive stat of ${path}: HTTP ${res.statusCode}`));
      else resolve(res.headers['x-docker-container-path-stat'] as string | undefined);
    });
    req.on('error', reject);
    req.end();
  });
  if (!header) return 0;
  const stat = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as { size?: number };
  return stat.size ?? 0;
}

async function sizeFromArchive(docker: Docker, containerId: string, path: string): Promise<number> {
  try {
    const stream = (await docker.getContainer(containerId).getArchive({ path })) as NodeJS.ReadableStream;
    const first = await new Promise<Buffer>((resolve, reject) => {
      stream.once('data', (c: Buffer) => resolve(c));
      stream.once('error', reject);
    });
    (stream as unknown as { destroy?: () => void }).destroy?.();
    // ustar: size is 12 bytes of octal at offset 124
    return parseInt(first.subarray(124, 136).toString('ascii').replace(/\0.*$/, '').trim() || '0', 8);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return 0;
    throw err;
  }
}
