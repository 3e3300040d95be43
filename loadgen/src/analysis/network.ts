// Two engines: whether the link between them, not the server, may have set a point's rate.
import type { RunEngines } from '../results/record.js';

/** a point that moved more than this share of what the link carries may be the link's measurement */
export const NETWORK_BOUND_SHARE = 0.8;

/**
 * the busier direction's share of what the link carried that way (received: server to load
 * generator, the link's down; sent: its up), and whether it is above NETWORK_BOUND_SHARE
 */
export function networkVerdict(sentBytesPerS: number, receivedBytesPerS: number, link: NonNullable<RunEngines['link']>): { share: number; bound: boolean } {
  const share = Math.max(receivedBytesPerS / link.down.bytesPerS, sentBytesPerS / link.up.bytesPerS);
  return { share: Number(share.toFixed(4)), bound: share > NETWORK_BOUND_SHARE };
}
