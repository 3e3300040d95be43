// Two engines (README "Two machines"): the server's engine and the load generator's, and where the
// server listens. The server's container uses its engine's host network (bind:port) and the load
// generator's container the other engine's host network, reaching it at address:port; the path's
// peer (containers/peer.ts) listens on bind:port+1. Nothing else changes: the same images,
// hardening (read-only root, no capabilities, uid 1000), labels and clean-up, on each engine.
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { CliError } from '../../errors.js';
import { cpusetSize, splitCpus, type CpuSplit } from './containers/cpus.js';
import { connectEngine, type DockerEngine, type EngineInfo } from './engine/engine.js';
import { resolveEndpoint } from './engine/endpoint.js';

const SPLIT_PORT = 18080;

export interface EngineSide {
  docker: DockerEngine;
  info: EngineInfo;
}

export interface SplitSetup {
  server: EngineSide;
  loadgen: EngineSide;
  /** both engines report one host name: one machine, whose CPUs they split */
  sameHost: boolean;
  /** the server's engine runs on the machine of this process */
  serverOnThisHost: boolean;
  address: string;
  bind: string;
  port: number;
  peerPort: number;
}

interface SplitOptions {
  server?: string;
  loadgen?: string;
  address?: string;
  bind?: string;
  port?: number;
}

function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === '::1' || address === 'localhost';
}

/** the address the load generator uses: given, else the server engine's host (this machine's loopback for a socket) */
function addressOf(server: DockerEngine, given: string | undefined): string {
  if (given) return given;
  return server.where.remoteHost ?? '127.0.0.1';
}

/**
 * what the server binds: given, else the address itself when it is loopback (nothing leaves the
 * machine), else every interface (an address seen through NAT or a name may not be the server's own)
 */
function bindOf(address: string, given: string | undefined): string {
  if (given) return given;
  if (isLoopback(address)) return isIP(address) ? address : '127.0.0.1';
  return '0.0.0.0';
}

async function side(name: string | undefined, role: string, flag: string): Promise<EngineSide> {
  const where = resolveEndpoint(name, process.env, flag);
  const docker = await connectEngine(where).catch((err: Error) => {
    throw new CliError(`${role} engine '${where.name}': ${err.message}`, 1, { cause: err });
  });
  return { docker, info: await docker.info() };
}

/** connects both engines (either may be the default one) and settles addresses and CPUs */
export async function splitEngines(o: SplitOptions): Promise<{ setup: SplitSetup; cpus: CpuSplit }> {
  const [server, loadgen] = [await side(o.server, "the server's", '--server-engine'), await side(o.loadgen, "the load generator's", '--loadgen-engine')];
  if (server.docker.where.url === loadgen.docker.where.url) {
    throw new CliError(`--server-engine and --loadgen-engine name the same engine (${server.docker.where.url}); give two engines, or neither for the usual one-engine run`, 2);
  }
  const port = o.port ?? SPLIT_PORT;
  if (!Number.isInteger(port) || port < 1024 || port > 65534) throw new CliError(`engines.port: got ${port}; expected a port from 1024 to 65534 (the path's peer uses the next one)`, 2);
  const address = addressOf(server.docker, o.address);
  const sameHost = server.info.hostname !== '' && server.info.hostname === loadgen.info.hostname;
  let cpus: CpuSplit;
  if (sameHost) {
    cpus = splitCpus(server.info.cpus);
  } else {
    // a machine each: each side has all of its own CPUs (SPEEDLAB_*_CPUS still override)
    const all = (n: number) => (n <= 1 ? '0' : `0-${n - 1}`);
    const env = process.env;
    const serverSet = env.SPEEDLAB_SERVER_CPUS || all(server.info.cpus);
    cpus = { server: serverSet, loadgen: env.SPEEDLAB_LOADGEN_CPUS || all(loadgen.info.cpus), serverCount: cpusetSize(serverSet), disjoint: true };
  }
  const serverOnThisHost = !server.docker.where.remoteHost || server.info.hostname === hostname();
  return {
    setup: { server, loadgen, sameHost, serverOnThisHost, address, bind: bindOf(address, o.bind), port, peerPort: port + 1 },
    cpus,
  };
}
