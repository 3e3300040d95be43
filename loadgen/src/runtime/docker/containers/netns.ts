// The load generator's container: one per server start, joined to the server's network
// namespace on the load generator's cpuset (with two engines: on the host network of the load
// generator's engine, reaching the server by address). Its main process only waits; the readiness probe and
// every loadgen phase of the point run in it as execs, so a point pays for one container instead
// of one per phase (each cost ~0.25 s to create, start and remove).
import { cgroupCounters, locateCgroup, type CgroupDirs } from '../counters/cgroup.js';
import type { ContainerRef, DockerEngine } from '../engine/engine.js';
import { IMAGE, labels, safeName } from '../engine/labels.js';
import type { ProcessEnd } from '../../death.js';
import { containerEnd } from './end.js';
import { HARDENED, USER } from './hardening.js';

const IDLE = ['node', '-e', 'setInterval(() => {}, 1 << 30)'];
export const LOADGEN_MEMORY_BYTES = 2 * 1024 ** 3;
/** room for the wrk engine's request files (up to its PUT-body budget: workload/wrk/request-files.ts) */
// owned by the loadgen's uid: this engine's tmpfs mounts come out 1755 whatever mode= says
export const LOADGEN_TMPFS = { '/tmp': 'size=192m,mode=1777,uid=1000,gid=1000' };

interface NetnsOptions {
  runId: string;
  key: string;
  cpuset: string;
}

export interface NetnsResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /**
   * CPU seconds the container used since the previous exec ended (the main process idles), from
   * its cgroup; undefined where the engine's cgroup files are not visible (the stats API's
   * one-second wait per reading is not worth a number nothing in a point record uses)
   */
  cpuSeconds?: number;
}

export class NetnsContainer {
  private cgroup: CgroupDirs | undefined;
  private lastCpu = 0;
  private removed: Promise<void> | undefined;

  private constructor(readonly container: ContainerRef) {}

  /**
   * created beside a server that is created (not necessarily started yet); networkMode is
   * joinNetwork(server) on one engine, 'host' on the load generator's own engine
   */
  static async create(docker: DockerEngine, networkMode: string, opts: NetnsOptions): Promise<NetnsContainer> {
    const container = await docker.createContainer({
      name: safeName('speedlab', opts.key, 'loadgen'),
      Image: IMAGE,
      Cmd: IDLE,
      User: USER,
      WorkingDir: '/app',
      Labels: labels(opts.runId, 'loadgen'),
      HostConfig: {
        ...HARDENED,
        NetworkMode: networkMode,
        CpusetCpus: opts.cpuset,
        Memory: LOADGEN_MEMORY_BYTES,
        Tmpfs: LOADGEN_TMPFS,
      },
    });
    return new NetnsContainer(container);
  }

  /** on one engine it needs the server running: it joins the server's network namespace */
  async start(): Promise<void> {
    await this.container.start();
    this.cgroup = locateCgroup(this.container.id);
    this.lastCpu = this.cpuNow() ?? 0;
  }

  private cpuNow(): number | undefined {
    return this.cgroup ? cgroupCounters(this.cgroup, undefined)?.cpuSeconds : undefined;
  }

  /** runs argv to its end; on abort the container is killed (the point is over then) */
  async exec(argv: string[], signal?: AbortSignal): Promise<NetnsResult> {
    signal?.throwIfAborted();
    const onAbort = () => void this.container.kill().catch(() => {});
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const out: NetnsResult = await this.container.exec(argv, { user: USER, workingDir: '/app', signal });
      const cpu = this.cpuNow();
      if (cpu !== undefined) {
        out.cpuSeconds = cpu - this.lastCpu;
        this.lastCpu = cpu;
      }
      return out;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * how its container ended, or undefined while it runs (a lab failure, not the server's);
   * settleMs: how long a container the engine still calls running may take to be known as ended
   */
  async ended(settleMs = 0): Promise<ProcessEnd | undefined> {
    const deadline = Date.now() + settleMs;
    for (;;) {
      const state = await this.container.inspect().catch(() => undefined);
      if (!state?.running) return containerEnd(this.container);
      if (Date.now() >= deadline) return undefined;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  remove(): Promise<void> {
    this.removed ??= this.container.remove().then(() => {});
    return this.removed;
  }
}
