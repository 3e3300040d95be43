// Who created a resource: stale clean-up removes other runs' leftovers only when the process
// that made them is gone, so two runs (or a run and a test) on one engine leave each other alone.
import { hostname } from 'node:os';
import { pidAlive } from '../../../util/pid.js';
import type { DockerEngine } from './engine.js';

export const OWNER_LABEL = 'speedlab.owner';

interface Owner {
  host: string;
  pid: number;
}

export function currentOwner(): Owner {
  return { host: hostname(), pid: process.pid };
}

export function ownerLabel(o: Owner = currentOwner()): string {
  return `${o.host}:${o.pid}`;
}

export function parseOwner(text: string | undefined): Owner | undefined {
  const m = /^(.+):(\d+)$/.exec(text ?? '');
  return m?.[1] ? { host: m[1], pid: Number(m[2]) } : undefined;
}

/**
 * true while the owner may still be working. On this host: its pid lives. Otherwise the owner
 * was a lab container (its hostname is its id): alive while the engine runs it. An owner the
 * engine does not know was a lab container since removed (compose run --rm), so it is stale.
 */
export async function ownerAlive(docker: DockerEngine, owner: Owner | undefined): Promise<boolean> {
  if (!owner) return false;
  if (owner.host === hostname()) return pidAlive(owner.pid);
  const info = await docker.container(owner.host).inspect();
  return Boolean(info?.running);
}
