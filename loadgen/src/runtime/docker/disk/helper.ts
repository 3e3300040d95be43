// Runs the disk helper (helper-main.ts) in a short-lived container from the speedlab image.
// Not --privileged: it gets CAP_SYS_ADMIN (loop ioctls), block major 7 and /dev/loop-control
// only. The host's /dev is bound so that loop devices created after the container started
// are visible; the host's backing tmpfs is at /backing. Host paths in Binds are resolved by the
// engine, so this works the same from the compose lab container.
import { runToCompletion } from '../containers/run.js';
import type { DockerEngine } from '../engine/engine.js';
import { IMAGE, labels } from '../engine/labels.js';
import { BACKING, HOST_ROOT } from './helper-paths.js';

/** the host tmpfs that holds the loop devices' backing files */
const BACKING_HOST_DIR = process.env.SPEEDLAB_BACKING_DIR || '/dev/shm';

interface HelperOptions {
  runId: string;
  /** a host directory to bind at /host (kind 'host' profiles) */
  hostDir?: string;
}

export async function runHelper(docker: DockerEngine, args: string[], opts: HelperOptions): Promise<string> {
  const binds = ['/dev:/dev', `${BACKING_HOST_DIR}:${BACKING}`];
  if (opts.hostDir) binds.push(`${opts.hostDir}:${HOST_ROOT}`);
  const out = await runToCompletion(docker, {
    Image: IMAGE,
    Cmd: ['node', 'dist/loadgen/src/runtime/docker/disk/helper-main.js', ...args],
    User: '0:0',
    Labels: labels(opts.runId, 'disk-helper'),
    HostConfig: {
      NetworkMode: 'none',
      CapDrop: ['ALL'],
      CapAdd: ['SYS_ADMIN', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER'],
      SecurityOpt: ['no-new-privileges'],
      DeviceCgroupRules: ['b 7:* rwm', 'c 10:237 rwm'],
      Binds: binds,
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': 'size=16m' },
    },
  });
  if (out.exitCode !== 0) {
    throw new Error(out.stderr.trim() || `disk helper ${args[0]} exited with ${out.exitCode}`);
  }
  return out.stdout.trim();
}
