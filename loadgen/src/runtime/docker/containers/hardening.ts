// The restrictions every lab container runs under (DESIGN §4): no network of its own, a
// read-only root, uid 1000, no capabilities, no privilege gain.
import type { HostConfig } from '../engine/engine.js';

export const HARDENED: HostConfig = {
  ReadonlyRootfs: true,
  CapDrop: ['ALL'],
  SecurityOpt: ['no-new-privileges'],
  PidsLimit: 4096,
};

export const USER = '1000:1000';

/** the network of a container that joins another's namespace (loopback only) */
export function joinNetwork(containerId: string): string {
  return `container:${containerId}`;
}
