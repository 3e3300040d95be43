// The docker runtime (DESIGN §4): the server in a hardened container on NetworkMode none, the
// load generator in a container joining its network namespace on a disjoint cpuset, disks
// provisioned per server start (disk/provision.ts), everything labelled and cleaned up.
import type { Calibration } from '../../results/record.js';
import type { DiskProfile, RunningServer, Runtime, ServerSpec, ServerStats } from '../types.js';
import { removeRun, removeStale } from './cleanup.js';
import { SERVER_PORT } from './containers/command.js';
import { cpusetSize, splitCpus, type CpuSplit } from './containers/cpus.js';
import { HARDENED, USER } from './containers/hardening.js';
import { LOADGEN_MEMORY_BYTES, LOADGEN_TMPFS, NetnsContainer, type NetnsResult } from './containers/netns.js';
import { LOG_PATH } from './containers/paths.js';
import { waitForPort } from './containers/probe.js';
import { runToCompletion } from './containers/run.js';
import { serverCreateOptions } from './containers/server.js';
import { cgroupCounters, cgroupWriteBytes, locateCgroup } from './counters/cgroup.js';
import { containerCounters } from './counters/stats.js';
import { calibrateDisk } from './disk/calibrate.js';
import { provisionDisk, type ProvisionedDisk } from './disk/provision.js';
import { connectEngine, type ContainerRef, type DockerEngine, type EngineInfo } from './engine/engine.js';
import { IMAGE, labels, safeName } from './engine/labels.js';
import { imageLabels } from './image/build.js';
import { projectRoot } from './image/context.js';
import { ensureImage } from './image/image.js';

interface DockerRuntimeOptions {
  readyTimeoutMs?: number;
  /** remove older runs' leftovers first (default true) */
  removeStale?: boolean;
  /** build the image when the checkout changed (default true); false: it must exist */
  buildImage?: boolean;
}

/** a RunningServer of this runtime, with what stop and the load generator need */
export interface DockerServer extends RunningServer {
  readonly containerId: string;
  readonly runId: string;
  readonly disk: ProvisionedDisk;
  /** the point's load-generator container, in the server's network namespace */
  readonly netns: NetnsContainer;
}

function exitReason(code: number, logs: string): string {
  const tail = logs.trim().split('\n').filter(Boolean).slice(-3).join(' | ');
  const how = code === 137 ? 'was killed (SIGKILL: out of memory or stopped)' : `exited with code ${code}`;
  return `the server ${how}${tail ? `: ${tail}` : ''}`;
}

export class DockerRuntime implements Runtime {
  readonly name = 'docker' as const;
  private readonly live = new Map<string, DockerServer>();
  private readonly runIds = new Set<string>();
  private counter = 0;
  private capacityRuns = 0;

  constructor(
    readonly docker: DockerEngine,
    readonly engine: EngineInfo,
    readonly cpus: CpuSplit,
    private readonly opts: DockerRuntimeOptions = {},
  ) {}

  environment() {
    return {
      dockerVersion: this.engine.serverVersion,
      serverCpuset: this.cpus.server,
      loadgenCpuset: this.cpus.loadgen,
      cgroupVersion: this.engine.cgroupVersion,
    };
  }

  async startServer(spec: ServerSpec): Promise<RunningServer> {
    const key = safeName(spec.runId, String(++this.counter));
    this.runIds.add(spec.runId);
    const disk = await provisionDisk(this.docker, spec.disk, spec.runId, key);
    let container: ContainerRef | undefined;
    let netns: NetnsContainer | undefined;
    try {
      container = await this.docker.createContainer(serverCreateOptions(spec, disk, this.cpus.server, key));
      const c = container;
      // the load generator's container can be created while the server starts; it starts after
      const [created, started] = await Promise.allSettled([
        NetnsContainer.create(this.docker, c.id, { runId: spec.runId, key, cpuset: this.cpus.loadgen }),
        c.start(),
      ]);
      if (created.status === 'fulfilled') netns = created.value;
      for (const r of [created, started]) if (r.status === 'rejected') throw r.reason;
      const exited = c.wait().then(async (code) => {
        const logs = await c.logs({ tail: 20 }).catch(() => Buffer.alloc(0));
        // eslint-disable-next-line no-control-regex -- the log stream's frame headers are control bytes
        return exitReason(code, logs.toString('utf8').replace(/[\x00-\x08]/g, ''));
      }, (err: Error) => `the server container is gone: ${err.message}`);
      try {
        await netns!.start();
      } catch (err) {
        // joining the namespace fails when the server is gone already: say why it went
        const gone = await Promise.race([exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 2000).unref())]);
        throw gone ? new Error(`the server exited before it was ready: ${gone}`) : err;
      }
      await waitForPort(netns!, SERVER_PORT, { timeoutMs: this.opts.readyTimeoutMs ?? 30_000, exited });
      const server = this.runningServer(spec, c, netns!, disk, exited);
      this.live.set(c.id, server);
      return server;
    } catch (err) {
      await Promise.all([container?.remove(), netns?.remove()]);
      await disk.release();
      throw err;
    }
  }

  private runningServer(spec: ServerSpec, c: ContainerRef, netns: NetnsContainer, disk: ProvisionedDisk, exited: Promise<string>): DockerServer {
    let stopped: Promise<void> | undefined;
    const cgroup = locateCgroup(c.id);
    const counters = async () => (cgroup && cgroupCounters(cgroup, disk.device)) || containerCounters(c, disk.device);
    // a throttled disk is a loop device over RAM: its ext4 writes count in write_bytes too, and
    // are not the host's; on ram (tmpfs) and host disks every counted byte reached a host device
    const hostWrites = () => (cgroup && disk.profile.kind !== 'throttled' ? cgroupWriteBytes(cgroup, c.id) : undefined);
    return {
      host: '127.0.0.1',
      port: SERVER_PORT,
      cpus: this.cpus.serverCount,
      containerId: c.id,
      runId: spec.runId,
      disk,
      netns,
      exited,
      stats: async (): Promise<ServerStats> => {
        const [counted, logBytes] = await Promise.all([
          counters(),
          spec.log === 'off' ? Promise.resolve(0) : c.fileSize(LOG_PATH).then((size) => size ?? 0),
        ]);
        const host = hostWrites();
        return { ...counted, logBytes, ...(host !== undefined && { hostWriteBytes: host }) };
      },
      stop: () => {
        stopped ??= (async () => {
          this.live.delete(c.id);
          await Promise.all([c.remove(), netns.remove()]);
          await disk.release();
        })();
        return stopped;
      },
    };
  }

  private serverOf(server: RunningServer): DockerServer {
    const s = server as Partial<DockerServer>;
    if (!s.containerId || !this.live.has(s.containerId)) throw new Error('this server was not started by the docker runtime (or is stopped)');
    return s as DockerServer;
  }

  /** runs argv in the point's load-generator container, in the server's network namespace */
  async runInNetns(server: RunningServer, argv: string[], signal?: AbortSignal): Promise<NetnsResult> {
    return this.serverOf(server).netns.exec(argv, signal);
  }

  async runLoadgen(server: RunningServer, job: unknown, signal?: AbortSignal): Promise<unknown> {
    const argv = ['node', 'dist/loadgen/src/cli.js', 'loadgen', '--target', `http://127.0.0.1:${server.port}`, '--job', JSON.stringify(job)];
    const r = await this.runInNetns(server, argv, signal);
    const result = loadgenOutput(r);
    // the engine's count of the whole container, beside the loadgen's own count of its window
    if (r.cpuSeconds !== undefined && result && typeof result === 'object' && !Array.isArray(result)) {
      return { ...(result as Record<string, unknown>), containerCpuSeconds: r.cpuSeconds };
    }
    return result;
  }

  /** a one-off load-generator container on the loadgen cpuset with a loopback of its own */
  async runLoadgenAlone(job: unknown, runId: string, signal?: AbortSignal): Promise<unknown> {
    this.runIds.add(runId);
    const r = await runToCompletion(this.docker, {
      // its own count: the server containers' numbers (speedlab-<run>-<n>-server) stay those of the points
      name: safeName('speedlab', runId, `capacity-${++this.capacityRuns}`),
      Image: IMAGE,
      Cmd: ['node', 'dist/loadgen/src/cli.js', 'loadgen', '--job', JSON.stringify(job)],
      User: USER,
      WorkingDir: '/app',
      Labels: labels(runId, 'loadgen'),
      HostConfig: { ...HARDENED, NetworkMode: 'none', CpusetCpus: this.cpus.loadgen, Memory: LOADGEN_MEMORY_BYTES, Tmpfs: LOADGEN_TMPFS },
    }, signal);
    return loadgenOutput(r);
  }

  async cleanup(runId: string): Promise<void> {
    const mine = [...this.live.values()].filter((s) => s.runId === runId);
    await Promise.all(mine.map((s) => s.stop()));
    await removeRun(this.docker, runId);
  }

  /** what a disk profile really delivers, for run.json (the sweep calls this once per profile) */
  calibrate(disk: DiskProfile, runId: string, signal?: AbortSignal): Promise<Calibration> {
    this.runIds.add(runId);
    return calibrateDisk(this.docker, disk, { runId, cpuset: this.cpus.server, signal });
  }

  async lost(): Promise<string | undefined> {
    try {
      await connectEngine();
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  }

  /** every run this runtime has served (Ctrl-C) */
  async cleanupAll(): Promise<void> {
    for (const runId of this.runIds) await this.cleanup(runId);
  }
}

/** the load generator's JSON result line, or why there is none */
function loadgenOutput(r: { exitCode: number; stdout: string; stderr: string }): unknown {
  const tail = r.stderr.trim().split('\n').filter(Boolean).slice(-3).join(' | ');
  if (r.exitCode !== 0) throw new Error(`the load generator exited with code ${r.exitCode}${tail ? `: ${tail}` : ''}`);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as unknown;
  } catch {
    throw new Error(`the load generator printed no JSON result: ${JSON.stringify(line.slice(0, 200))}`);
  }
}

const runtimes = new Set<DockerRuntime>();
let signalsHooked = false;

/**
 * On Ctrl-C (or SIGTERM) every runtime of this process removes what it created. When nothing
 * else listens for the signal, the process then exits as the signal would have made it; when the
 * caller listens too (the sweep), the caller decides when to exit.
 */
function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.on(signal, () => {
      const callerListens = process.listenerCount(signal) > 1;
      void Promise.allSettled([...runtimes].map((r) => r.cleanupAll())).then(() => {
        if (!callerListens) process.exit(code);
      });
    });
  }
}

async function ensureRuntimeImage(docker: DockerEngine, note: (line: string) => void, build: boolean): Promise<void> {
  let fromCheckout = build;
  try {
    projectRoot();
  } catch {
    fromCheckout = false;
  }
  if (fromCheckout) {
    const r = await ensureImage(docker);
    if (r.built) note(`built ${r.image} (base ${r.base}) in ${r.seconds.toFixed(1)} s`);
  } else if (!(await imageLabels(docker, IMAGE))) {
    throw new Error(`the engine has no ${IMAGE} image: build it from a checkout with 'speedlab image'`);
  }
}

export async function createDockerRuntime(opts: DockerRuntimeOptions & { note?: (line: string) => void } = {}): Promise<Runtime> {
  const docker = await connectEngine();
  const engine = await docker.info();
  const note = opts.note ?? ((line: string) => console.error(`docker: ${line}`));
  await ensureRuntimeImage(docker, note, opts.buildImage !== false);
  const cpus = splitCpus(engine.cpus);
  if (!cpus.disjoint) note('one CPU only: the server and the load generator share it');
  if (cpusetSize(cpus.server) < 1) throw new Error(`bad server cpuset ${cpus.server}`);
  const rt = new DockerRuntime(docker, engine, cpus, opts);
  runtimes.add(rt);
  hookSignals();
  if (opts.removeStale !== false) {
    const n = await removeStale(docker, `stale-check-${process.pid}`);
    if (n > 0) note(`removed ${n} leftovers of earlier runs`);
  }
  return rt;
}
