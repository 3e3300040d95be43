// Disjoint cpusets for the server and the load generator (DESIGN §4: the load generator must
// never share CPUs with the server). SPEEDLAB_SERVER_CPUS / SPEEDLAB_LOADGEN_CPUS override.

export interface CpuSplit {
  server: string;
  loadgen: string;
  serverCount: number;
  /** false only on a one-CPU engine, where both must share CPU 0 */
  disjoint: boolean;
}

/** the number of CPUs a cpuset string like "0-2,5" names */
export function cpusetSize(set: string): number {
  let n = 0;
  for (const part of set.split(',')) {
    const [a, b] = part.split('-').map((x) => Number(x.trim()));
    if (a === undefined || Number.isNaN(a)) throw new Error(`bad cpuset '${set}'`);
    n += b === undefined ? 1 : b - a + 1;
  }
  return n;
}

function range(from: number, to: number): string {
  return from === to ? String(from) : `${from}-${to}`;
}

/** the load generator gets the first quarter (at least one CPU), the server the rest */
export function splitCpus(total: number, env: NodeJS.ProcessEnv = process.env): CpuSplit {
  if (env.SPEEDLAB_SERVER_CPUS && env.SPEEDLAB_LOADGEN_CPUS) {
    return {
      server: env.SPEEDLAB_SERVER_CPUS,
      loadgen: env.SPEEDLAB_LOADGEN_CPUS,
      serverCount: cpusetSize(env.SPEEDLAB_SERVER_CPUS),
      disjoint: true,
    };
  }
  if (total <= 1) return { server: '0', loadgen: '0', serverCount: 1, disjoint: false };
  const loadgen = Math.max(1, Math.floor(total / 4));
  return { server: range(loadgen, total - 1), loadgen: range(0, loadgen - 1), serverCount: total - loadgen, disjoint: true };
}
