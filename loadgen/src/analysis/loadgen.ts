// Whether the load generator, not the server, may have set a point's rate: it used most of a
// core, or the point's rate came near what its engine can drive at all (run.json's loadgenCeilings).
import { formatPercent } from './format.js';

/** the load generator's CPU, in cores, from which it may have been the limit */
export const LOADGEN_BOUND_CORES = 0.9;

/** a point above this share of its engine's ceiling measured the load generator more than the server */
const LOADGEN_CEILING_SHARE = 0.5;

/** LOADGEN_CEILING_SHARE as the sentences say it: "above half of its ceiling" */
export const LOADGEN_CEILING_SHARE_WORDS = LOADGEN_CEILING_SHARE === 0.5 ? 'half' : formatPercent(LOADGEN_CEILING_SHARE);

/** @param ceilingShare the point's requests/s over its engine's ceiling, where the ceiling was measured */
export function isLoadgenBound(cpuCores: number, ceilingShare: number | undefined): boolean {
  return cpuCores >= LOADGEN_BOUND_CORES || (ceilingShare ?? 0) > LOADGEN_CEILING_SHARE;
}
