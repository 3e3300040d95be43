// Names and labels shared by everything the docker runtime creates. Every container and volume
// carries RUN_LABEL, so a run's leftovers (and older runs' stale ones) can be found by label.
import { OWNER_LABEL, ownerLabel } from './owner.js';

export const IMAGE = process.env.SPEEDLAB_IMAGE || 'speedlab:latest';
export const LOCAL_BASE_IMAGE = 'speedlab-base:local';
export const OFFICIAL_BASE_IMAGE = 'node:20-bookworm-slim';

export const RUN_LABEL = 'speedlab.run';
export const ROLE_LABEL = 'speedlab.role';
/** the image's build-context fingerprint (skip a rebuild when nothing changed) */
export const CONTEXT_LABEL = 'speedlab.context';
export const BASE_LABEL = 'speedlab.base';
/** the image's wrk: the host wrk it carries, or 'none: why' (image/wrk-bundle.ts) */
export const WRK_LABEL = 'speedlab.wrk';
/** set by docker/Dockerfile on its build stage (deps), which is left as an untagged image */
export const STAGE_LABEL = 'speedlab.stage';

type Role = 'server' | 'loadgen' | 'probe' | 'disk' | 'disk-helper' | 'calibrate' | 'peer';

/** the labels of everything a run creates: run, role and owner (for stale clean-up) */
export function labels(runId: string, role: Role): Record<string, string> {
  return { [RUN_LABEL]: runId, [ROLE_LABEL]: role, [OWNER_LABEL]: ownerLabel() };
}

/** container and volume names must match [a-zA-Z0-9][a-zA-Z0-9_.-]* */
export function safeName(...parts: string[]): string {
  return parts.join('-').replace(/[^a-zA-Z0-9_.-]/g, '_');
}
