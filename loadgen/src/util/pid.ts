// Whether a process still exists, by its pid, on this machine.

/** true while the pid names a process, also one this process may not signal (EPERM: it exists) */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
