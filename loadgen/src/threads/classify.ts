// Where one sample of a thread says it was: on a CPU, on a lock, on the disk, waiting on the
// network or for work, or elsewhere. From its state (stat), its blocking syscall and the kernel
// function it sleeps in (wchan). Pure.
import type { ThreadSyscall } from './procfs.js';

/** the classes a sample falls in; 'running' is split into on-CPU and waiting-for-a-CPU by schedstat later */
export const SAMPLE_CLASSES = ['running', 'lock', 'disk', 'network', 'other'] as const;
export type SampleClass = (typeof SAMPLE_CLASSES)[number];

interface SyscallTable {
  futex: number;
  disk: ReadonlySet<number>;
  network: ReadonlySet<number>;
  /** the network waits of a thread that accepts connections or polls sockets, not one that serves one */
  dispatch: ReadonlySet<number>;
}

// syscall numbers differ per architecture; elsewhere only the wchan classifies
const TABLES: Record<string, SyscallTable> = {
  x64: {
    futex: 202,
    // fsync, fdatasync, sync, sync_file_range, syncfs
    disk: new Set([74, 75, 162, 277, 306]),
    // poll, select, accept, recvfrom, recvmsg, epoll_wait, pselect6, ppoll, epoll_pwait, accept4, recvmmsg, epoll_pwait2
    network: new Set([7, 23, 43, 45, 47, 232, 270, 271, 281, 288, 299, 441]),
    // poll, select, accept, epoll_wait, pselect6, ppoll, epoll_pwait, accept4, epoll_pwait2
    dispatch: new Set([7, 23, 43, 232, 270, 271, 281, 288, 441]),
  },
  arm64: {
    futex: 98,
    disk: new Set([81, 82, 83, 84, 267]),
    network: new Set([22, 72, 73, 202, 207, 212, 242, 243, 441]),
    // epoll_pwait, pselect6, ppoll, accept, accept4, epoll_pwait2
    dispatch: new Set([22, 72, 73, 202, 242, 441]),
  },
};

/** a futex wait, by the kernel function it sleeps in */
export const LOCK_WCHAN = /^futex_/;
const DISK_WCHAN = /io_schedule|jbd2|wait_on_page|folio_wait|wait_on_buffer|blkdev|blk_mq|ext4_sync|file_write_and_wait|filemap_fdatawait|writeback/;
const NETWORK_WCHAN = /epoll|ep_poll|do_sys_poll|poll_schedule|do_select|core_sys_select|inet_csk_accept|sk_wait_data|wait_woken|unix_stream|sk_stream_wait|tcp_/;
const DISPATCH_WCHAN = /epoll|ep_poll|do_sys_poll|poll_schedule|do_select|core_sys_select|inet_csk_accept/;

export interface Classified {
  cls: SampleClass;
  /** a futex wait: the futex's address, as the syscall file writes it */
  futex?: string;
  /** 'other': where it waited (the wchan, else the syscall's number) */
  where?: string;
  /** 'network': it waited to accept a connection or for any of several sockets (accept, poll, epoll, select) */
  dispatch?: true;
}

export function classifySample(state: string, syscall: ThreadSyscall | undefined, wchan: string, arch: string = process.arch): Classified {
  if (state === 'R' || syscall === 'running') return { cls: 'running' };
  const table = TABLES[arch];
  const nr = syscall === undefined ? -1 : syscall.nr;
  if (table && nr === table.futex && syscall !== undefined) return { cls: 'lock', futex: syscall.args[0] };
  if (LOCK_WCHAN.test(wchan)) return { cls: 'lock' };
  if (state === 'D' || (table?.disk.has(nr) ?? false) || DISK_WCHAN.test(wchan)) return { cls: 'disk' };
  if ((table?.network.has(nr) ?? false) || NETWORK_WCHAN.test(wchan)) {
    const dispatch = (table?.dispatch.has(nr) ?? false) || DISPATCH_WCHAN.test(wchan);
    return dispatch ? { cls: 'network', dispatch: true } : { cls: 'network' };
  }
  return { cls: 'other', where: wchan || (nr >= 0 ? `syscall ${nr}` : 'unknown') };
}

/**
 * a wait its wchan alone classifies, whatever the thread's state: a futex, the disk (where a D state
 * would put it too), or a dispatch wait (epoll, poll, select and accept always sleep interruptibly).
 * For any other wchan the state is read: D puts it on the disk
 */
export function settledByWchan(wchan: string): boolean {
  return LOCK_WCHAN.test(wchan) || DISK_WCHAN.test(wchan) || DISPATCH_WCHAN.test(wchan);
}

/** the wchan is needed only when the syscall does not tell: a D state, or a syscall no table names */
export function needsWchan(state: string, syscall: ThreadSyscall | undefined, arch: string = process.arch): boolean {
  if (state === 'R' || syscall === 'running') return false;
  const table = TABLES[arch];
  if (!table || syscall === undefined || state === 'D') return true;
  return !(syscall.nr === table.futex || table.disk.has(syscall.nr) || table.network.has(syscall.nr));
}
