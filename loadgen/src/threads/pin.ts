// The thread sampler runs in the lab's own process; with a CPU split (Docker: the server's cpuset
// and the load generator's), that process keeps to the load generator's CPUs so that sampling
// takes no time from the server's. Done once, with util-linux's taskset on every thread of this
// process (threads started later inherit it).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let pinned: { cpuList: string } | { problem: string } | undefined;

/** this process's CPUs as the kernel has them (/proc/self/status), e.g. "1" or "0-1" */
function allowedCpus(): string | undefined {
  return /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
}

/** keeps this process to `cpuList`; the CPUs it then has (read back from the kernel), or why it could not */
export function keepThisProcessTo(cpuList: string): { cpuList: string } | { problem: string } {
  if (pinned) return pinned;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cpuList, String(process.pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
    pinned = { cpuList: allowedCpus() ?? cpuList };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    const why = e.code === 'ENOENT' ? 'taskset (util-linux) is not installed' : (e.stderr?.toString().trim() || e.message);
    pinned = { problem: `the lab's process could not keep to the load generator's CPUs ${cpuList}: ${why}` };
  }
  return pinned;
}
