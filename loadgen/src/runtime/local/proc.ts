// Counters of a process group from /proc (Linux): CPU from stat, I/O from io, peak memory
// from status. A user's server may be a shell script with children, so the whole group counts.
import { readFileSync, readdirSync } from 'node:fs';
import { readProcStat, ticksPerSecond } from '../../util/proc-stat.js';

function readKeyed(path: string): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const m = /^(\w+):\s+(\d+)/.exec(line);
      if (m) out[m[1]!] = Number(m[2]);
    }
  } catch {
    // the process ended between listing and reading
  }
  return out;
}

/** the processes of a process group (the server and what it started) */
export function groupMembers(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (readProcStat(pid)?.pgrp === pgid) pids.push(pid);
  }
  return pids;
}

interface GroupCounters {
  cpuSeconds: number;
  /** bytes passed to read/write calls (sockets included) */
  rchar: number;
  wchar: number;
  /** bytes the block layer read/wrote */
  readBytes: number;
  writeBytes: number;
  memPeakBytes: number;
}

export function groupCounters(pgid: number): GroupCounters {
  const c: GroupCounters = { cpuSeconds: 0, rchar: 0, wchar: 0, readBytes: 0, writeBytes: 0, memPeakBytes: 0 };
  for (const pid of groupMembers(pgid)) {
    const st = readProcStat(pid);
    if (!st) continue;
    c.cpuSeconds += st.cpuTicks / ticksPerSecond();
    const io = readKeyed(`/proc/${pid}/io`);
    c.rchar += io.rchar ?? 0;
    c.wchar += io.wchar ?? 0;
    c.readBytes += io.read_bytes ?? 0;
    c.writeBytes += io.write_bytes ?? 0;
    c.memPeakBytes += (readKeyed(`/proc/${pid}/status`).VmHWM ?? 0) * 1024;
  }
  return c;
}

/** true once the process has ended: gone, or a zombie its parent has not yet reaped (its end is final then) */
export function hasEnded(pid: number): boolean {
  const st = readProcStat(pid);
  return st === undefined || st.state === 'Z' || st.state === 'X';
}
