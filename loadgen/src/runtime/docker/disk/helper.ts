// Runs the disk helper (helper-main.ts) in a short-lived container from the speedlab image.
// Not --privileged: it gets CAP_SYS_ADMIN (loop ioctls), block major 7 and /dev/loop-control
// only. The host's /dev is bound so that loop devices created after the container started
// are visible; the host's backing tmpfs is at /backing. Host paths in Binds are resolved by the
// engine, so this works the same from the compose lab container.
import { z } from 'zod';
import { lastJsonLine } from '../../../validate.js';
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

/** what the helper prints (one JSON line) for `list`: every loop device the lab made, with its owner */
export const loopEntriesSchema = z.array(z.object({
  name: z.string(),
  owner: z.object({ runId: z.string().optional(), host: z.string().optional(), pid: z.number().optional() }).nullable(),
  devices: z.array(z.string()),
}));
/** for `attach`: the loop device and its device number */
export const attachedSchema = z.object({ device: z.string(), major: z.number(), minor: z.number() });
/** for `prepare-host`: the device number of the filesystem that holds the directory */
export const deviceNumberSchema = z.object({ major: z.number(), minor: z.number() });

/** runHelper, and its result line read as the schema says (or why it cannot be) */
export async function helperResult<S extends z.ZodType>(docker: DockerEngine, args: string[], opts: HelperOptions, schema: S): Promise<z.output<S>> {
  return lastJsonLine(schema, await runHelper(docker, args, opts), `the disk helper's ${args[0]}`);
}
