// The one module that talks to dockerode. It connects to an engine (endpoint.ts: a context, a
// unix://, tcp:// or ssh:// address, or DOCKER_HOST / the local socket by default) and wraps
// every call the lab makes. The engine's answers are read here once: 404 (no such thing), 409
// (in use, not running, or already being removed) and 304 (already in that state) become typed
// results where a caller expects them, and a connection that fails or drops becomes
// EngineUnreachableError. Every other error passes through unchanged.
import http from 'node:http';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { EngineUnreachableError } from '../../../errors.js';
import { resolveEndpoint, type EngineEndpoint } from './endpoint.js';

export { DEFAULT_SOCKET } from './endpoint.js';

/** the engine API's bodies, as the lab writes them */
export type ContainerSpec = Docker.ContainerCreateOptions;
export type HostConfig = Docker.HostConfig;
export type Mount = Docker.MountSettings;
export type ImageBuildOptions = Docker.ImageBuildOptions;
type ContainerStats = Docker.ContainerStats;

interface VolumeSpec {
  Name: string;
  Driver: string;
  DriverOpts: Record<string, string>;
  Labels: Record<string, string>;
}

export interface EngineInfo {
  serverVersion: string;
  apiVersion: string;
  cpus: number;
  cgroupVersion: 1 | 2;
  /** 'cgroupfs' or 'systemd' */
  cgroupDriver: string;
  /** the engine's OS and CPU as it reports them ('linux', 'x86_64' / 'aarch64') */
  os: string;
  arch: string;
  /** a rootless daemon (SecurityOptions has name=rootless) */
  rootless: boolean;
  memBytes: number;
  /** the engine's host name: two engines with the same one share a machine (and its CPUs) */
  hostname: string;
}

/** one line of the builder's progress stream */
interface BuildEvent {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

export interface Labelled {
  id: string;
  labels: Record<string, string>;
}

export interface ImageSummary {
  id: string;
  /** seconds since the epoch */
  created: number;
}

interface ExecOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}


/** how long a liveness ping may take before the engine counts as gone */
const PING_TIMEOUT_MS = 5000;

const NOT_MODIFIED = 304;
const NOT_FOUND = 404;
const CONFLICT = 409;
type Expected = typeof NOT_MODIFIED | typeof NOT_FOUND | typeof CONFLICT;
type Outcome<T, S extends Expected> = { ok: true; value: T } | { ok: false; status: S };

// the socket errors of an engine that is not there, or went away during a call
const LOST = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

function lostConnection(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException & { statusCode?: number };
  if (e?.statusCode !== undefined) return false;
  return e?.syscall === 'connect' || (e?.code !== undefined && LOST.has(e.code));
}

/** runs the engine calls of one client: where the engine's answers are read */
class Calls {
  constructor(readonly endpoint: string) {}

  /** an engine call's error as callers see it: a lost connection becomes EngineUnreachableError */
  private translate(err: unknown): unknown {
    return lostConnection(err) ? new EngineUnreachableError(this.endpoint, (err as Error).message, { cause: err }) : err;
  }

  async call<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw this.translate(err);
    }
  }

  /** as call, but an `expected` status becomes a result */
  async attempt<T, S extends Expected>(call: () => Promise<T>, ...expected: S[]): Promise<Outcome<T, S>> {
    try {
      return { ok: true, value: await call() };
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      if (status !== undefined && (expected as number[]).includes(status)) return { ok: false, status: status as S };
      throw this.translate(err);
    }
  }

  /** a build's or pull's progress: see followProgress */
  async progress(docker: Docker, stream: NodeJS.ReadableStream, onEvent?: (event: BuildEvent) => void): Promise<string | undefined> {
    try {
      return await followProgress(docker, stream, onEvent);
    } catch (err) {
      if (lostConnection(err)) throw this.translate(err);
      return (err as Error).message;
    }
  }
}

/** the engine's 8-byte-header framing of a non-TTY attach/exec stream, into two strings */
async function demuxStream(docker: Docker, stream: NodeJS.ReadableStream): Promise<{ stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  out.on('data', (c: Buffer) => chunks.stdout.push(c));
  err.on('data', (c: Buffer) => chunks.stderr.push(c));
  docker.modem.demuxStream(stream, out, err);
  await new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  return { stdout: Buffer.concat(chunks.stdout).toString('utf8'), stderr: Buffer.concat(chunks.stderr).toString('utf8') };
}

/**
 * reads a build's or pull's progress to its end; resolves with the first error the engine reported
 * in it (a failed step, a failed download: the stream itself ends normally), or undefined
 */
function followProgress(docker: Docker, stream: NodeJS.ReadableStream, onEvent?: (event: BuildEvent) => void): Promise<string | undefined> {
  let failed: string | undefined;
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null) => (err ? reject(err) : resolve(failed)),
      (event: BuildEvent) => {
        if (event.error || event.errorDetail) failed ??= event.errorDetail?.message ?? event.error;
        onEvent?.(event);
      },
    );
  });
}

/** ustar: a member's size is 12 bytes of octal at offset 124 of its header */
function tarMemberSize(header: Buffer): number {
  return parseInt(header.subarray(124, 136).toString('ascii').replace(/\0.*$/, '').trim() || '0', 8);
}

export class DockerEngine {
  private readonly calls: Calls;

  /** the engine's address, as error messages name it */
  readonly endpoint: string;

  constructor(private readonly docker: Docker, readonly where: EngineEndpoint) {
    this.endpoint = where.url;
    this.calls = new Calls(this.endpoint);
  }

  /** resolves when the engine answers a ping within timeoutMs; rejects with EngineUnreachableError otherwise */
  pingWithin(timeoutMs: number): Promise<void> {
    return pingWithin(this.docker, this.endpoint, timeoutMs);
  }

  async info(): Promise<EngineInfo> {
    // dockerode types /info as any: name the fields read here
    const rawInfo = this.docker.info() as Promise<{
      ServerVersion?: string; NCPU?: number; CgroupVersion?: string; CgroupDriver?: string; MemTotal?: number; Name?: string;
      OSType?: string; Architecture?: string; SecurityOptions?: string[];
    }>;
    const [info, version] = await this.calls.call(() => Promise.all([rawInfo, this.docker.version()]));
    return {
      serverVersion: String(info.ServerVersion),
      apiVersion: String(version.ApiVersion),
      cpus: Number(info.NCPU),
      cgroupVersion: String(info.CgroupVersion ?? '1') === '2' ? 2 : 1,
      cgroupDriver: String(info.CgroupDriver ?? ''),
      os: String(info.OSType ?? ''),
      arch: String(info.Architecture ?? ''),
      rootless: (info.SecurityOptions ?? []).some((o) => o.split(',').includes('name=rootless')),
      memBytes: Number(info.MemTotal),
      hostname: String(info.Name ?? ''),
    };
  }

  // images

  /** the image's id and labels, or undefined when the engine has no such image */
  async inspectImage(name: string): Promise<{ id: string; labels: Record<string, string> } | undefined> {
    const r = await this.calls.attempt(() => this.docker.getImage(name).inspect(), NOT_FOUND);
    return r.ok ? { id: r.value.Id, labels: r.value.Config?.Labels ?? {} } : undefined;
  }

  async listImages(filters: { dangling?: boolean; label?: string }): Promise<ImageSummary[]> {
    const f: Record<string, string[]> = {};
    if (filters.dangling !== undefined) f.dangling = [String(filters.dangling)];
    if (filters.label !== undefined) f.label = [filters.label];
    const list = await this.calls.call(() => this.docker.listImages({ filters: f }));
    return list.map((img) => ({ id: img.Id, created: img.Created }));
  }

  /** 'in-use': a container uses it, or other images are built on it */
  async removeImage(id: string): Promise<'removed' | 'gone' | 'in-use'> {
    const r = await this.calls.attempt(() => this.docker.getImage(id).remove({ noprune: false }), NOT_FOUND, CONFLICT);
    return r.ok ? 'removed' : r.status === NOT_FOUND ? 'gone' : 'in-use';
  }

  /** rejects when the engine cannot pull it */
  async pullImage(name: string, signal: AbortSignal): Promise<void> {
    const stream = await this.calls.call(() => this.docker.pull(name, { abortSignal: signal }));
    const failed = await this.calls.progress(this.docker, stream);
    if (failed !== undefined) throw new Error(`pull of ${name} failed: ${failed}`);
  }

  /** runs a build to its end: the builder's own failure is a result, the engine's refusal to build an error */
  async buildImage(
    context: NodeJS.ReadableStream,
    options: ImageBuildOptions,
    onEvent: (event: BuildEvent) => void,
  ): Promise<{ ok: true } | { ok: false; error: string }> {
    const stream = await this.calls.call(() => this.docker.buildImage(context, options));
    const failed = await this.calls.progress(this.docker, stream, onEvent);
    return failed === undefined ? { ok: true } : { ok: false, error: failed };
  }

  // containers

  /**
   * creates a container; its `warnings` are the engine's (e.g. a limit it discarded), which
   * dockerode's own createContainer throws away: the same request, made through its modem
   */
  async createContainer(spec: ContainerSpec): Promise<ContainerRef> {
    const created = await this.calls.call(
      () =>
        new Promise<{ Id: string; Warnings?: string[] | null }>((resolve, reject) => {
          this.docker.modem.dial(
            {
              path: '/containers/create?',
              method: 'POST',
              options: spec,
              statusCodes: { 200: true, 201: true, 400: 'bad parameter', 404: 'no such container', 406: 'impossible to attach', 500: 'server error' },
            },
            (err, data) => (err ? reject(err) : resolve(data as { Id: string; Warnings?: string[] | null })),
          );
        }),
    );
    return new ContainerRef(this.calls, this.docker, created.Id, (created.Warnings ?? []).filter((w) => w.trim() !== ''));
  }

  /** a container by id or name (it need not exist) */
  container(id: string): ContainerRef {
    return new ContainerRef(this.calls, this.docker, id);
  }

  /** containers, stopped ones included, with every one of these labels ("key" or "key=value") */
  async listContainers(labels: string[]): Promise<Labelled[]> {
    const list = await this.calls.call(() => this.docker.listContainers({ all: true, filters: { label: labels } }));
    return list.map((c) => ({ id: c.Id, labels: c.Labels ?? {} }));
  }

  // volumes

  async createVolume(spec: VolumeSpec): Promise<void> {
    await this.calls.call(() => this.docker.createVolume(spec));
  }

  /** a volume still in use is an error (409 is not expected: the caller removes its users first) */
  async removeVolume(name: string): Promise<'removed' | 'gone'> {
    const r = await this.calls.attempt(() => this.docker.getVolume(name).remove({ force: true }), NOT_FOUND);
    return r.ok ? 'removed' : 'gone';
  }

  /** volumes with every one of these labels; id is the volume's name */
  async listVolumes(labels: string[]): Promise<Labelled[]> {
    const list = await this.calls.call(() => this.docker.listVolumes({ filters: { label: labels } }));
    return (list.Volumes ?? []).map((v) => ({ id: v.Name, labels: v.Labels ?? {} }));
  }
}

interface ContainerState {
  running: boolean;
  /** meaningful once it has ended: 128 + n after signal n */
  exitCode: number;
  oomKilled: boolean;
  /** its memory limit (0: none) */
  memoryBytes: number;
}

export class ContainerRef {
  constructor(
    private readonly calls: Calls,
    private readonly docker: Docker,
    readonly id: string,
    /** what the engine warned when it created the container (a discarded limit) */
    readonly warnings: string[] = [],
  ) {}

  private get handle(): Docker.Container {
    return this.docker.getContainer(this.id);
  }

  async start(): Promise<'started' | 'already-running'> {
    const r = await this.calls.attempt(() => this.handle.start(), NOT_MODIFIED);
    return r.ok ? 'started' : 'already-running';
  }

  /**
   * waits for the container's end; its exit code (-1 when the engine gives none). A wait is one
   * long request whose answer comes when the container ends: if the connection drops after the
   * engine sent the headers, the request may never settle (and a process with nothing else to do
   * would just exit), so the engine is pinged beside it and its loss rejects the wait
   */
  async wait(pingEveryMs = 2000): Promise<number> {
    const waiting = this.calls.call(() => this.handle.wait()) as Promise<{ StatusCode?: number }>;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const lost = new Promise<never>((_, reject) => {
      const next = () => {
        timer = setTimeout(() => void pingWithin(this.docker, this.calls.endpoint, PING_TIMEOUT_MS).then(() => !done && next(), reject), pingEveryMs);
      };
      next();
    });
    try {
      const r = await Promise.race([waiting, lost]);
      return r.StatusCode ?? -1;
    } finally {
      done = true;
      clearTimeout(timer);
    }
  }

  /** its output so far, as the engine frames it (8-byte headers: see containers/run.ts demuxBuffer) */
  async logs(opts: { tail?: number } = {}): Promise<Buffer> {
    const logs = await this.calls.call(
      () => this.handle.logs({ stdout: true, stderr: true, follow: false, ...(opts.tail === undefined ? {} : { tail: opts.tail }) }),
    );
    return logs;
  }

  async kill(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<'killed' | 'gone' | 'not-running'> {
    const r = await this.calls.attempt(() => this.handle.kill({ signal }), NOT_FOUND, CONFLICT);
    return r.ok ? 'killed' : r.status === NOT_FOUND ? 'gone' : 'not-running';
  }

  /** forced, with its anonymous volumes; 'removing': another removal is in progress */
  async remove(): Promise<'removed' | 'gone' | 'removing'> {
    const r = await this.calls.attempt(() => this.handle.remove({ force: true, v: true }), NOT_FOUND, CONFLICT);
    return r.ok ? 'removed' : r.status === NOT_FOUND ? 'gone' : 'removing';
  }

  /**
   * whether it runs and, once it has ended, how (its exit code, whether the kernel's OOM killer
   * struck, its memory limit), or undefined when the engine has no such container
   */
  async inspect(): Promise<ContainerState | undefined> {
    const r = await this.calls.attempt(() => this.handle.inspect(), NOT_FOUND);
    if (!r.ok) return undefined;
    const state = r.value.State;
    return {
      running: Boolean(state?.Running),
      exitCode: state?.ExitCode ?? -1,
      oomKilled: Boolean(state?.OOMKilled),
      memoryBytes: r.value.HostConfig?.Memory ?? 0,
    };
  }

  /** one reading of the stats API (it answers on its collector's next one-second tick) */
  stats(): Promise<ContainerStats> {
    return this.calls.call(() => this.handle.stats({ stream: false, 'one-shot': true }));
  }

  /** runs argv to its end in the container; on abort, rejects once the output has ended */
  async exec(argv: string[], opts: { user: string; workingDir: string; signal?: AbortSignal }): Promise<ExecOutput> {
    const exec = await this.calls.call(() =>
      this.handle.exec({ Cmd: argv, AttachStdout: true, AttachStderr: true, User: opts.user, WorkingDir: opts.workingDir }),
    );
    const stream = await this.calls.call(() => exec.start({ hijack: true, stdin: false }));
    const { stdout, stderr } = await this.calls.call(() => demuxStream(this.docker, stream));
    opts.signal?.throwIfAborted();
    const info = await this.calls.call(() => exec.inspect());
    return { exitCode: info.ExitCode ?? -1, stdout, stderr };
  }

  /**
   * the size of a file inside the container, from the archive API's path-stat header (works for
   * volume mounts of any image, no exec needed); undefined when the file does not exist
   */
  async fileSize(path: string): Promise<number | undefined> {
    const modem = this.docker.modem as unknown as { socketPath?: string; host?: string; port?: number; protocol?: string };
    if (!modem.socketPath && modem.protocol !== 'http') {
      // over TLS/ssh, read the tar stream's first header instead
      return this.sizeFromArchive(path);
    }
    const target = modem.socketPath ? { socketPath: modem.socketPath } : { host: modem.host, port: modem.port };
    const reqPath = `/containers/${encodeURIComponent(this.id)}/archive?path=${encodeURIComponent(path)}`;
    const header = await this.calls.call(
      () =>
        new Promise<string | undefined>((resolve, reject) => {
          const req = http.request({ ...target, method: 'HEAD', path: reqPath }, (res) => {
            res.resume();
            if (res.statusCode === NOT_FOUND) resolve(undefined);
            else if (res.statusCode !== 200) reject(new Error(`archive stat of ${path}: HTTP ${res.statusCode}`));
            else resolve(res.headers['x-docker-container-path-stat'] as string | undefined);
          });
          req.on('error', reject);
          req.end();
        }),
    );
    if (!header) return undefined;
    const stat = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as { size?: number };
    return stat.size ?? 0;
  }

  private async sizeFromArchive(path: string): Promise<number | undefined> {
    const r = await this.calls.attempt(
      async () => {
        const stream = await this.handle.getArchive({ path });
        const first = await new Promise<Buffer>((resolve, reject) => {
          stream.once('data', (c: Buffer) => resolve(c));
          stream.once('error', reject);
        });
        (stream as unknown as { destroy?: () => void }).destroy?.();
        return tarMemberSize(first);
      },
      NOT_FOUND,
    );
    return r.ok ? r.value : undefined;
  }
}

/** a client for an engine (default: DOCKER_HOST or the local socket); nothing is asked of the engine yet */
export function engineClient(where: EngineEndpoint = resolveEndpoint(undefined)): DockerEngine {
  return new DockerEngine(new Docker(where.options), where);
}

/** resolves when the engine answers a ping within timeoutMs; rejects with EngineUnreachableError otherwise */
async function pingWithin(docker: Docker, endpoint: string, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([docker.ping(), timeout]);
  } catch (err) {
    if (err instanceof EngineUnreachableError) throw err;
    throw new EngineUnreachableError(endpoint, err instanceof Error ? err.message : String(err), { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

/** a client whose engine has answered a ping within timeoutMs */
export async function connectEngine(where?: EngineEndpoint, timeoutMs = 3000): Promise<DockerEngine> {
  const docker = engineClient(where);
  await docker.pingWithin(timeoutMs);
  return docker;
}
