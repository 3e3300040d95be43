// A process's /proc/PID/stat (Linux): its state, its process group and the CPU time it used.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clockTicks: number | undefined;
export function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

interface ProcStat {
  /** R running, S sleeping, D disk, Z zombie, X dead, … */
  state: string;
  pgrp: number;
  /** user and system time, its waited-for children's included, in clock ticks (ticksPerSecond) */
  cpuTicks: number;
}

/** undefined when the process is gone (or /proc cannot be read) */
export function readProcStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: split after the last ')'
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const n = (i: number) => Number(rest[i]);
    // rest[0] is field 3 (state): pgrp is field 5, utime..cstime fields 14..17
    return { state: rest[0]!, pgrp: n(2), cpuTicks: n(11) + n(12) + n(13) + n(14) };
  } catch {
    return undefined;
  }
}

/** CPU seconds one process has used (all its threads, and its waited-for children) */
export function cpuSecondsOf(pid: number): number | undefined {
  const st = readProcStat(pid);
  return st && st.cpuTicks / ticksPerSecond();
}
