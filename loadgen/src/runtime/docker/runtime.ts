// The docker runtime (DESIGN §4): the server in a hardened container on NetworkMode none, the
// load generator in a container joining its network namespace on a disjoint cpuset, disks
// provisioned per server start (disk/provision.ts), everything labelled and cleaned up.
// With two engines (split.ts) the server listens on its engine's host network and the load
// generator, on the other engine's host network, reaches it by address.
import { z } from 'zod';
import { linkResultSchema, rttResultSchema } from '../../network/measure.js';
import { lastJsonLine } from '../../validate.js';
import type { Calibration, PointNetwork, RunEngine, RunEngines } from '../../results/record.js';
import type { DiskProfile, RunningServer, Runtime, ServerSpec, ServerStats } from '../types.js';
import { removeRun, removeStale } from './cleanup.js';
import { SERVER_PORT } from './containers/command.js';
import { cpusetSize, splitCpus, type CpuSplit } from './containers/cpus.js';
import { HARDENED, joinNetwork, USER } from './containers/hardening.js';
import { LOADGEN_MEMORY_BYTES, LOADGEN_TMPFS, NetnsContainer, type NetnsResult } from './containers/netns.js';
import { LOG_PATH } from './containers/paths.js';
import { waitForPort } from './containers/probe.js';
import { runToCompletion } from './containers/run.js';
import { PathPeer } from './containers/peer.js';
import { serverCreateOptions, type ServerListen } from './containers/server.js';
import { cgroupCounters, cgroupProcesses, cgroupWriteBytes, locateCgroup } from './counters/cgroup.js';
import { containerCounters } from './counters/stats.js';
import { calibrateDisk } from './disk/calibrate.js';
import { provisionDisk, type ProvisionedDisk } from './disk/provision.js';
import { resolveEndpoint } from './engine/endpoint.js';
import { connectEngine, type ContainerRef, type DockerEngine, type EngineInfo } from './engine/engine.js';
import { fromContainerExit, lastLines, LoadgenEndedError, ServerEndedError, type OwnEnd, type ProcessEnd } from '../death.js';
import { endedBy, ownEnd, watchEnd } from './containers/end.js';
import { IMAGE, labels, safeName, WRK_LABEL } from './engine/labels.js';
import { imageLabels } from './image/build.js';
import { projectRoot } from './image/context.js';
import { ensureImage } from './image/image.js';
import { splitEngines, type EngineSide, type SplitSetup } from './split.js';

interface DockerRuntimeOptions {
  readyTimeoutMs?: number;
  /** one engine, named (run --engine): a context or an address; absent, the one the docker CLI would use */
  engine?: string;
  /** two engines: the server's and the load generator's, and where the server listens */
  engines?: { server?: string; loadgen?: string; address?: string; bind?: string; port?: number };
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

/** how long a load generator's exec that ended by a signal waits to learn whether its container went too */
const LOADGEN_SETTLE_MS = 2000;

export class DockerRuntime implements Runtime {
  readonly name = 'docker' as const;
  private readonly live = new Map<string, DockerServer>();
  private readonly runIds = new Set<string>();
  private counter = 0;
  private capacityRuns = 0;
  private readonly peers = new Map<string, Promise<PathPeer>>();
  /** set when the load generator could not reach the server's machine; cleared when it can */
  private unreachable: string | undefined;

  /**
   * @param split two engines: the load generator's engine and where the server listens; absent,
   * the load generator joins the server's network namespace on `docker`
   */
  constructor(
    readonly docker: DockerEngine,
    readonly engine: EngineInfo,
    readonly cpus: CpuSplit,
    private readonly opts: DockerRuntimeOptions = {},
    readonly split?: SplitSetup,
    /** the load generators' image's WRK_LABEL: the host wrk it carries, or 'none: why' */
    private readonly imageWrk?: string,
  ) {}

  wrkMissing(): string | undefined {
    return this.imageWrk?.startsWith('none: ') ? this.imageWrk.slice('none: '.length) : undefined;
  }

  /** the engine the load generators run on */
  private get loadgenDocker(): DockerEngine {
    return this.split?.loadgen.docker ?? this.docker;
  }

  engineRecord(): RunEngine {
    const { name, url, why } = this.docker.where;
    const e = this.engine;
    return { name, url, why, os: e.os, arch: e.arch, cgroupVersion: e.cgroupVersion, cgroupDriver: e.cgroupDriver, rootless: e.rootless };
  }

  /** undefined on one engine */
  engines(): RunEngines | undefined {
    if (!this.split) return undefined;
    const side = (e: EngineSide, cpuset: string) => ({
      name: e.docker.where.name, url: e.docker.where.url, version: e.info.serverVersion, hostname: e.info.hostname, cpus: e.info.cpus, cpuset,
    });
    const { server, loadgen, sameHost, address, bind, port, peerPort } = this.split;
    return { server: side(server, this.cpus.server), loadgen: side(loadgen, this.cpus.loadgen), sameHost, address, bind, port, peerPort };
  }

  /** where the load generator reaches the servers: their namespace's loopback, or the address with two engines */
  private get target(): { host: string; port: number } {
    return this.split ? { host: this.split.address, port: this.split.port } : { host: '127.0.0.1', port: SERVER_PORT };
  }

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
    const listen: ServerListen = this.split ? { network: 'host', port: this.split.port, bind: this.split.bind } : { network: 'none' };
    try {
      container = await this.docker.createContainer(serverCreateOptions(spec, disk, this.cpus.server, key, listen));
      const c = container;
      // the load generator's container can be created while the server starts; it starts after
      const [created, started] = await Promise.allSettled([
        NetnsContainer.create(this.loadgenDocker, this.split ? 'host' : joinNetwork(c.id), { runId: spec.runId, key, cpuset: this.cpus.loadgen }),
        c.start(),
      ]);
      if (created.status === 'fulfilled') netns = created.value;
      for (const r of [created, started]) if (r.status === 'rejected') throw r.reason;
      const exited = watchEnd(c);
      try {
        await netns!.start();
      } catch (err) {
        // joining the namespace fails when the server is gone already: say how it went
        const gone = await endedBy(c, exited, 2000);
        throw gone ? new ServerEndedError(gone) : err;
      }
      try {
        await waitForPort(netns!, this.target.port, { timeoutMs: this.opts.readyTimeoutMs ?? 30_000, exited, host: this.target.host });
      } catch (err) {
        // with two engines a server that runs but cannot be reached is the path's fault
        if (this.split && (await c.inspect())?.running) await this.checkPath(spec.runId, netns!);
        throw err;
      }
      const server = this.runningServer(spec, c, netns!, disk, exited);
      this.live.set(c.id, server);
      return server;
    } catch (err) {
      await Promise.all([container?.remove(), netns?.remove()]);
      await disk.release();
      throw err;
    }
  }

  private runningServer(spec: ServerSpec, c: ContainerRef, netns: NetnsContainer, disk: ProvisionedDisk, exited: Promise<ProcessEnd>): DockerServer {
    let stopped: Promise<OwnEnd | undefined> | undefined;
    const cgroup = locateCgroup(c.id);
    const counters = async () => (cgroup && cgroupCounters(cgroup, disk.device)) || containerCounters(c, disk.device);
    // a throttled disk is a loop device over RAM: its ext4 writes count in write_bytes too, and
    // are not the host's; on ram (tmpfs) and host disks every counted byte reached a host device
    const hostWrites = () => (cgroup && disk.profile.kind !== 'throttled' ? cgroupWriteBytes(cgroup, c.id) : undefined);
    return {
      ...this.target,
      ...(this.split && { remote: !this.split.serverOnThisHost, networkPath: (signal?: AbortSignal) => this.networkPath(spec.runId, netns, signal) }),
      cpus: this.cpus.serverCount,
      cpuList: this.cpus.server,
      processes: () => (cgroup
        ? cgroupProcesses(cgroup, c.id)
        : "the engine's cgroup files are not visible from this process (a remote engine, or Docker Desktop's VM), so the server's threads cannot be read"),
      // the sampler reads /proc here only when the engine's cgroups are this kernel's
      ...(cgroup && this.cpus.disjoint && { labCpuList: this.cpus.loadgen }),
      containerId: c.id,
      runId: spec.runId,
      disk,
      netns,
      exited,
      ended: (settleMs = 0) => endedBy(c, exited, settleMs),
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
          const own = await ownEnd(c, exited);
          await Promise.all([c.remove(), netns.remove()]);
          await disk.release();
          return own;
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
    const argv = ['node', 'dist/loadgen/src/cli.js', 'loadgen', '--target', `http://${hostPort(server.host, server.port)}`, '--job', JSON.stringify(job)];
    const netns = this.serverOf(server).netns;
    let r: NetnsResult;
    try {
      r = await netns.exec(argv, signal);
    } catch (err) {
      // the exec ends with an error when its container goes: say how it went
      if (!signal?.aborted) {
        const end = await netns.ended(LOADGEN_SETTLE_MS);
        if (end) throw new LoadgenEndedError(end, true);
      }
      throw err;
    }
    if (r.exitCode > 128 || r.exitCode < 0) {
      // a killed container ends its exec at once, and is known as ended a moment later
      const end = await netns.ended(LOADGEN_SETTLE_MS);
      const stderrTail = lastLines(r.stderr);
      if (end) throw new LoadgenEndedError({ how: end.how, stderrTail }, true);
      // its process alone was killed (its container's main process idles on)
      if (r.exitCode > 128) throw new LoadgenEndedError({ how: fromContainerExit(r.exitCode, false), stderrTail });
    }
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
    const r = await runToCompletion(this.loadgenDocker, {
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
    const peer = this.peers.get(runId);
    this.peers.delete(runId);
    await peer?.then((p) => p.remove(), () => {});
    // a rootless engine has no loop devices of its runs (and its disk helper cannot list the root-owned backing files)
    await removeRun(this.docker, runId, { loops: !this.engine.rootless });
    if (this.split) await removeRun(this.split.loadgen.docker, runId, { loops: false });
  }

  /** what a disk profile really delivers, for run.json (the sweep calls this once per profile) */
  calibrate(disk: DiskProfile, runId: string, signal?: AbortSignal): Promise<Calibration> {
    this.runIds.add(runId);
    return calibrateDisk(this.docker, disk, { runId, cpuset: this.cpus.server, signal });
  }

  async lost(): Promise<string | undefined> {
    const sides: Array<[string, DockerEngine]> = this.split
      ? [["the server's Docker engine", this.docker], ["the load generator's Docker engine", this.split.loadgen.docker]]
      : [['the Docker engine', this.docker]];
    for (const [what, docker] of sides) {
      try {
        await connectEngine(docker.where);
      } catch (err) {
        return `${what} went away during the run: ${(err as Error).message}`;
      }
    }
    return this.unreachable;
  }

  // two engines: the network path

  /** the run's path peer on the server's engine, started on first use */
  private peer(runId: string): Promise<PathPeer> {
    const split = this.split!;
    let peer = this.peers.get(runId);
    if (!peer) {
      this.runIds.add(runId);
      peer = PathPeer.start(this.docker, { runId, cpuset: this.cpus.server, bind: split.bind, port: split.peerPort });
      peer.catch(() => this.peers.delete(runId));
      this.peers.set(runId, peer);
    }
    return peer;
  }

  /** runs `speedlab net ...` where the load generators run: in `netns`, or a one-off container on the host network */
  private async net<S extends z.ZodType>(schema: S, runId: string, args: string[], netns?: NetnsContainer, signal?: AbortSignal): Promise<z.output<S>> {
    const split = this.split!;
    const argv = ['node', 'dist/loadgen/src/cli.js', 'net', ...args, '--target', hostPort(split.address, split.peerPort)];
    const r = netns
      ? await netns.exec(argv, signal)
      : await runToCompletion(this.loadgenDocker, {
        name: safeName('speedlab', runId, `net-${++this.capacityRuns}`),
        Image: IMAGE, Cmd: argv, User: USER, WorkingDir: '/app', Labels: labels(runId, 'loadgen'),
        HostConfig: { ...HARDENED, NetworkMode: 'host', CpusetCpus: this.cpus.loadgen, Memory: LOADGEN_MEMORY_BYTES },
      }, signal);
    if (r.exitCode !== 0) {
      const why = r.stderr.trim().split('\n').filter(Boolean).pop()?.replace(/^speedlab: net \w+: /, '') ?? `exit ${r.exitCode}`;
      this.unreachable = `the load generator's engine cannot reach the server's machine at ${split.address}:${split.peerPort} (${why}); check --server-address (engines.address), and that ports ${split.port} and ${split.peerPort} are open from the load generator's machine`;
      throw new Error(this.unreachable);
    }
    this.unreachable = undefined;
    return loadgenOutput(r, schema);
  }

  /** after a failed readiness probe: is the path itself broken? (sets `unreachable` when it is) */
  private async checkPath(runId: string, netns: NetnsContainer): Promise<void> {
    await this.peer(runId);
    await this.net(rttResultSchema, runId, ['rtt', '--count', '3'], netns).catch(() => {});
  }

  async measureLink(runId: string, signal?: AbortSignal): Promise<NonNullable<RunEngines['link']>> {
    if (!this.split) throw new Error('measureLink(): this runtime runs on one engine');
    await this.peer(runId);
    await this.net(rttResultSchema, runId, ['rtt', '--count', '3'], undefined, signal);
    const one = async (direction: 'down' | 'up') => {
      const r = await this.net(linkResultSchema, runId, ['link', '--direction', direction, '--seconds', '1', '--streams', '4'], undefined, signal);
      return { bytesPerS: r.bytesPerS, seconds: r.seconds, streams: r.streams };
    };
    return { down: await one('down'), up: await one('up') };
  }

  private async networkPath(runId: string, netns: NetnsContainer, signal?: AbortSignal): Promise<PointNetwork> {
    const split = this.split!;
    await this.peer(runId);
    const r = await this.net(rttResultSchema, runId, ['rtt', '--count', '20'], netns, signal);
    return {
      serverEngine: split.server.docker.where.name,
      loadgenEngine: split.loadgen.docker.where.name,
      address: split.address,
      rttUs: { min: r.minUs, p50: r.p50Us, max: r.maxUs },
    };
  }

  /** every run this runtime has served (a caller's Ctrl-C handler: commands/signals.ts) */
  async cleanupAll(): Promise<void> {
    for (const runId of this.runIds) await this.cleanup(runId);
  }
}

/** host:port, an IPv6 address in brackets */
function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** the load generator's JSON result line (any JSON: the caller checks it against its phase's schema), or why there is none */
function loadgenOutput<S extends z.ZodType = z.ZodUnknown>(r: { exitCode: number; stdout: string; stderr: string }, schema?: S): z.output<S> {
  const tail = r.stderr.trim().split('\n').filter(Boolean).slice(-3).join(' | ');
  if (r.exitCode !== 0) throw new Error(`the load generator exited with status ${r.exitCode}${tail ? `: ${tail}` : ''}`);
  return lastJsonLine(schema ?? z.unknown(), r.stdout, 'the load generator') as z.output<S>;
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

/** the one line that says which engine and why */
function engineLine(where: { url: string; why: string }): string {
  return `engine: ${where.url} (${where.why})`;
}

/** note: the runtime's progress lines (prefixed 'docker: '); say: lines of their own (the engine line) */
export async function createDockerRuntime(opts: DockerRuntimeOptions & { note?: (line: string) => void; say?: (line: string) => void } = {}): Promise<Runtime> {
  const note = opts.note ?? ((line: string) => console.error(`docker: ${line}`));
  let docker: DockerEngine;
  let engine: EngineInfo;
  let cpus: CpuSplit;
  let split: SplitSetup | undefined;
  if (opts.engines) {
    const two = await splitEngines(opts.engines);
    split = two.setup;
    ({ docker, info: engine } = split.server);
    cpus = two.cpus;
    note(`two engines: the server on ${split.server.docker.where.url} (${split.bind}:${split.port}), the load generator on ${split.loadgen.docker.where.url}, reaching it at ${split.address}${split.sameHost ? '; one machine: disjoint cpusets' : ''}`);
  } else {
    const where = resolveEndpoint(opts.engine, process.env, '--engine');
    (opts.say ?? console.error)(engineLine(where));
    docker = await connectEngine(where);
    engine = await docker.info();
    cpus = splitCpus(engine.cpus);
  }
  const all = split ? [split.server.docker, split.loadgen.docker] : [docker];
  for (const e of all) await ensureRuntimeImage(e, (line) => note(split ? `${e.where.name}: ${line}` : line), opts.buildImage !== false);
  if (!cpus.disjoint) note('one CPU only: the server and the load generator share it');
  if (engine.rootless && engine.cgroupVersion === 1) note('rootless Docker on cgroup v1 sets no cgroup limits: the cpusets and memory limits are not applied, so the server and the load generator share every CPU');
  if (cpusetSize(cpus.server) < 1) throw new Error(`bad server cpuset ${cpus.server}`);
  const imageWrk = (await imageLabels(split?.loadgen.docker ?? docker, IMAGE))?.[WRK_LABEL];
  const rt = new DockerRuntime(docker, engine, cpus, opts, split, imageWrk);
  if (opts.removeStale !== false) {
    for (const e of all) {
      const n = await removeStale(e, `stale-check-${process.pid}`, { loops: e === docker && !engine.rootless });
      if (n > 0) note(`${split ? `${e.where.name}: ` : ''}removed ${n} leftovers of earlier runs`);
    }
  }
  return rt;
}
