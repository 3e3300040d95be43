// Connecting to a Docker engine: DOCKER_HOST when set (unix://, tcp://, ssh:// as dockerode
// understands them), otherwise the local socket.
import Docker from 'dockerode';
import { EngineUnreachableError } from '../errors.js';

export const DEFAULT_SOCKET = '/var/run/docker.sock';

export interface EngineInfo {
  serverVersion: string;
  apiVersion: string;
  cpus: number;
  cgroupVersion: 1 | 2;
  memBytes: number;
}

function describeEndpoint(): string {
  return process.env.DOCKER_HOST || DEFAULT_SOCKET;
}

export function engineClient(): Docker {
  // With no options dockerode reads DOCKER_HOST itself and falls back to the local socket.
  return process.env.DOCKER_HOST ? new Docker() : new Docker({ socketPath: DEFAULT_SOCKET });
}

/** a client whose engine has answered a ping within timeoutMs */
export async function connectEngine(timeoutMs = 3000): Promise<Docker> {
  const docker = engineClient();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([docker.ping(), timeout]);
  } catch (err) {
    throw new EngineUnreachableError(describeEndpoint(), err instanceof Error ? err.message : String(err));
  } finally {
    clearTimeout(timer);
  }
  return docker;
}

/** true when an engine answers; never throws */
export async function engineReachable(timeoutMs = 3000): Promise<boolean> {
  try {
    await connectEngine(timeoutMs);
    return true;
  } catch {
    return false;
  }
}

export async function engineInfo(docker: Docker): Promise<EngineInfo> {
  const [info, version] = await Promise.all([docker.info(), docker.version()]);
  return {
    serverVersion: String(info.ServerVersion),
    apiVersion: String(version.ApiVersion),
    cpus: Number(info.NCPU),
    cgroupVersion: String(info.CgroupVersion ?? '1') === '2' ? 2 : 1,
    memBytes: Number(info.MemTotal),
  };
}
