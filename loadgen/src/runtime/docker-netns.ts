// Running a command in a container that joins the server's network namespace (the load
// generator). The container's main process only waits; the command runs as an exec, so the
// engine's CPU counter for the container is still readable after the command ends.
import type Docker from 'dockerode';
import { collect, removeQuietly } from './docker-run.js';
import { HARDENED, joinNetwork, USER } from './docker-hardening.js';
import { IMAGE, labels, safeName } from './docker-labels.js';
import { containerCounters } from './docker-stats.js';

const IDLE = ['node', '-e', 'setInterval(() => {}, 1 << 30)'];

export interface NetnsOptions {
  runId: string;
  key: string;
  cpuset: string;
  signal?: AbortSignal;
}

export interface NetnsResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** CPU seconds the command used, from the engine */
  cpuSeconds: number;
}

export async function runInServerNetns(docker: Docker, serverId: string, argv: string[], opts: NetnsOptions): Promise<NetnsResult> {
  opts.signal?.throwIfAborted();
  const container = await docker.createContainer({
    name: safeName('speedlab', opts.key, 'loadgen'),
    Image: IMAGE,
    Cmd: IDLE,
    User: USER,
    WorkingDir: '/app',
    Labels: labels(opts.runId, 'loadgen'),
    HostConfig: {
      ...HARDENED,
      NetworkMode: joinNetwork(serverId),
      CpusetCpus: opts.cpuset,
      Memory: 2 * 1024 ** 3,
      Tmpfs: { '/tmp': 'size=64m,mode=1777' },
    },
  });
  const onAbort = () => void container.kill().catch(() => {});
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await container.start();
    const before = await containerCounters(container, undefined);
    const exec = await container.exec({ Cmd: argv, AttachStdout: true, AttachStderr: true, User: USER, WorkingDir: '/app' });
    const stream = await exec.start({ hijack: true, stdin: false });
    const { stdout, stderr } = await collect(docker, stream);
    opts.signal?.throwIfAborted();
    const info = await exec.inspect();
    const after = await containerCounters(container, undefined);
    return { exitCode: info.ExitCode ?? -1, stdout, stderr, cpuSeconds: after.cpuSeconds - before.cpuSeconds };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await removeQuietly(container);
  }
}
