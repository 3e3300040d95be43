// Shared by the Docker tests: is there an engine (skip with a printed reason, or fail when
// SPEEDLAB_REQUIRE_DOCKER=1, as .ci/run sets), and the speedlab image (built once, reused
// while the checkout is unchanged). Two clients: engine() is the lab's own (what its functions
// take), docker() a plain dockerode client with which the tests look at the engine themselves.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { release } from 'node:os';
import Docker from 'dockerode';
import { connectEngine, DEFAULT_SOCKET, type DockerEngine } from '../../src/runtime/docker/engine/engine.js';
import { RUN_LABEL } from '../../src/runtime/docker/engine/labels.js';
import { ensureImage } from '../../src/runtime/docker/image/image.js';

export type { Docker };

export const REQUIRE_DOCKER = process.env.SPEEDLAB_REQUIRE_DOCKER === '1';

async function probe(): Promise<{ engine?: DockerEngine; reason?: string }> {
  try {
    return { engine: await connectEngine() };
  } catch (err) {
    return { reason: (err as Error).message };
  }
}

const found = await probe();
if (!found.engine && !REQUIRE_DOCKER) {
  console.warn(`skipping Docker tests: ${found.reason}`);
}

/** true: run the Docker tests; false: skip them (the reason is printed) */
export const HAVE_DOCKER = Boolean(found.engine) || REQUIRE_DOCKER;
export const NO_ENGINE_REASON = found.reason;

/**
 * whether the engine's cgroups keep a container's peak memory: cgroup v1 always
 * (memory.max_usage_in_bytes), v2 from Linux 5.19 on (memory.peak)
 */
export function memPeakKnown(): boolean {
  if (!existsSync('/sys/fs/cgroup/cgroup.controllers')) return true;
  const [major, minor] = release().split('.').map(Number) as [number, number];
  return major > 5 || (major === 5 && minor >= 19);
}

export function engine(): DockerEngine {
  if (!found.engine) throw new Error(`SPEEDLAB_REQUIRE_DOCKER=1 but ${found.reason}`);
  return found.engine;
}

let plain: Docker | undefined;
/** the same engine through dockerode itself, for what a test checks independently of the lab's code */
export function docker(): Docker {
  engine();
  plain ??= process.env.DOCKER_HOST ? new Docker() : new Docker({ socketPath: DEFAULT_SOCKET });
  return plain;
}

let image: Promise<unknown> | undefined;
/** builds the image once per test process; later calls reuse it */
export function ensureTestImage(): Promise<unknown> {
  image ??= ensureImage(engine());
  return image;
}

/** what the engine holds for a run: containers and volumes by label */
export async function leftovers(runId: string): Promise<{ containers: string[]; volumes: string[] }> {
  const filters = { label: [`${RUN_LABEL}=${runId}`] };
  const containers = await docker().listContainers({ all: true, filters });
  const volumes = await docker().listVolumes({ filters });
  return { containers: containers.map((c) => c.Names.join(',')), volumes: (volumes.Volumes ?? []).map((v) => v.Name) };
}

/** loop devices whose backing file is one of the lab's (under /dev/shm/speedlab) */
export function labLoopDevices(losetupList: string): string[] {
  return losetupList.split('\n').filter((l) => l.includes('/speedlab/'));
}

export function uniqueRunId(tag: string): string {
  return `test-${tag}-${process.pid}-${Date.now().toString(36)}`;
}

/**
 * a daemon of one of the project's engine scripts (docker/second-engine.sh, rootless-engine.sh),
 * started unless it runs: its address, and a stop() that stops it only when this call started it
 */
export function startScriptEngine(script: string): { url: string; stop: () => void } {
  let startedHere = false;
  try {
    execFileSync('bash', [script, 'status'], { stdio: 'ignore' });
  } catch {
    startedHere = true;
  }
  const url = execFileSync('bash', [script, 'start'], { encoding: 'utf8' }).trim();
  const stop = () => {
    if (startedHere) execFileSync('bash', [script, 'stop'], { stdio: 'ignore' });
  };
  return { url, stop };
}
