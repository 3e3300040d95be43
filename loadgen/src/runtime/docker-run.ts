// Running a short-lived container to completion and collecting its output.
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';

export interface RunOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** demultiplexes a non-TTY attach/logs/exec stream into two strings */
export async function collect(docker: Docker, stream: NodeJS.ReadableStream): Promise<{ stdout: string; stderr: string }> {
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

export async function removeQuietly(container: Docker.Container): Promise<void> {
  try {
    await container.remove({ force: true, v: true });
  } catch (err) {
    const code = (err as { statusCode?: number }).statusCode;
    if (code !== 404 && code !== 409) throw err; // gone already, or removal already in progress
  }
}

/** create, start, wait, read logs, remove; the container is removed on every path */
export async function runToCompletion(
  docker: Docker,
  opts: Docker.ContainerCreateOptions,
  signal?: AbortSignal,
): Promise<RunOutput> {
  const container = await docker.createContainer(opts);
  const onAbort = () => void container.kill().catch(() => {});
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await container.start();
    const result = (await container.wait()) as { StatusCode: number };
    const logs = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    const { stdout, stderr } = demuxBuffer(logs);
    if (signal?.aborted) throw new Error('aborted');
    return { exitCode: result.StatusCode, stdout, stderr };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await removeQuietly(container);
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
