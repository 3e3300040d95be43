// How busy a set of CPUs was between two readings of /proc/stat: every process counted, so that a
// load generator beside the server shows. parseCpuTimes is pure.
import { readFileSync } from 'node:fs';

/** cpu number -> [busy, total] clock ticks since boot */
export type CpuTimes = Map<number, [number, number]>;

export function parseCpuTimes(text: string): CpuTimes {
  const out: CpuTimes = new Map();
  for (const line of text.split('\n')) {
    const m = /^cpu(\d+) (.*)$/.exec(line);
    if (!m) continue;
    // user nice system idle iowait irq softirq steal (guest time is already inside user)
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = m[2]!.trim().split(/\s+/).map(Number);
    const busy = user + nice + system + irq + softirq + steal;
    out.set(Number(m[1]), [busy, busy + idle + iowait]);
  }
  return out;
}

/** "0-3,6" -> [0,1,2,3,6] */
export function parseCpuList(list: string): number[] {
  const out: number[] = [];
  for (const part of list.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [a, b] = part.split('-').map(Number);
    for (let c = a!; c <= (b ?? a!); c++) out.push(c);
  }
  return out;
}

/** cores busy on `cpus` (all when undefined) between two readings */
export function busyCores(before: CpuTimes, after: CpuTimes, cpus?: readonly number[]): number {
  let busy = 0;
  let total = 0;
  const list = cpus ?? [...after.keys()];
  for (const c of list) {
    const a = before.get(c);
    const b = after.get(c);
    if (!a || !b) continue;
    busy += b[0] - a[0];
    total += b[1] - a[1];
  }
  return total > 0 ? (busy / total) * list.length : NaN;
}

export function readCpuTimes(): CpuTimes | undefined {
  try {
    return parseCpuTimes(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}
