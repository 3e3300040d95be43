// Running a short-lived container to completion and collecting its output.
import type { ContainerRef, ContainerSpec, DockerEngine } from '../engine/engine.js';

interface RunOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** what the engine warned when it created the container */
  warnings: string[];
}

/** create, start, wait, read logs, remove; the container is removed on every path */
export async function runToCompletion(docker: DockerEngine, opts: ContainerSpec, signal?: AbortSignal, onStarted?: (container: ContainerRef) => void): Promise<RunOutput> {
  const container = await docker.createContainer(opts);
  const onAbort = () => void container.kill().catch(() => {});
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await container.start();
    onStarted?.(container);
    const exitCode = await container.wait();
    const { stdout, stderr } = demuxBuffer(await container.logs());
    if (signal?.aborted) throw new Error('aborted');
    return { exitCode, stdout, stderr, warnings: container.warnings };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await container.remove();
  }
}

/** the engine's 8-byte-header framing of a non-TTY log buffer */
export function demuxBuffer(buf: Buffer): { stdout: string; stderr: string } {
  const parts: Record<number, Buffer[]> = { 1: [], 2: [] };
  let i = 0;
  while (i + 8 <= buf.length) {
    const kind = buf[i] ?? 0;
    const size = buf.readUInt32BE(i + 4);
    (parts[kind] ?? parts[1]!).push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return { stdout: Buffer.concat(parts[1]!).toString('utf8'), stderr: Buffer.concat(parts[2]!).toString('utf8') };
}
