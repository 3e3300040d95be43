// The /proc parsers and the sample classes, on files copied byte for byte from threads of a real
// C program on this machine (fixtures/: a thread blocked on a pthread mutex, one spinning, one in
// epoll_wait, one in usleep, a main thread in pause).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifySample, needsWchan } from '../../src/threads/classify.js';
import { parseSchedstat, parseSyscall, parseTaskStat, parseWchan } from '../../src/threads/procfs.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'latin1');

describe('the /proc task file parsers', () => {
  it('reads the tid, name, state and CPU ticks of stat, a name in parentheses included', () => {
    expect(parseTaskStat(fixture('mutex-waiter.stat'))).toEqual({ tid: 10721, comm: 't', state: 'S', utimeTicks: 0, stimeTicks: 0 });
    expect(parseTaskStat(fixture('spinner.stat'))).toMatchObject({ comm: 'spinner', state: 'R' });
    expect(parseTaskStat('42 (a) b (c)) D 1 1 1 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0')).toEqual({ tid: 42, comm: 'a) b (c)', state: 'D', utimeTicks: 7, stimeTicks: 3 });
    expect(parseTaskStat('')).toBeUndefined();
  });

  it('reads on-CPU and run-queue nanoseconds and timeslices of schedstat', () => {
    const text = fixture('spinner.schedstat');
    const [on, wait, slices] = text.trim().split(' ').map(Number);
    expect(parseSchedstat(text)).toEqual({ onCpuNs: on, runQueueNs: wait, timeslices: slices });
    expect(parseSchedstat('x')).toBeUndefined();
  });

  it('reads the futex address of a mutex wait, "running", and the wchan', () => {
    expect(parseSyscall(fixture('mutex-waiter.syscall'))).toEqual({ nr: 202, args: ['0x5566e4eec0e0', '0x80', '0x2', '0x0', '0x0', '0x0'] });
    expect(parseSyscall(fixture('spinner.syscall'))).toBe('running');
    expect(parseWchan(fixture('mutex-waiter.wchan'))).toBe('futex_do_wait');
    expect(parseWchan(fixture('spinner.wchan'))).toBe('');
  });
});

describe('the sample classes (x86_64 syscall numbers)', () => {
  const sample = (name: string) => {
    const stat = parseTaskStat(fixture(`${name}.stat`))!;
    const syscall = parseSyscall(fixture(`${name}.syscall`));
    return classifySample(stat.state, syscall, parseWchan(fixture(`${name}.wchan`)), 'x64');
  };

  it('puts a mutex waiter on a lock with its address, a spinner running, epoll on the network, usleep elsewhere', () => {
    expect(sample('mutex-waiter')).toEqual({ cls: 'lock', futex: '0x5566e4eec0e0' });
    expect(sample('spinner')).toEqual({ cls: 'running' });
    expect(sample('poller')).toEqual({ cls: 'network', dispatch: true });
    expect(sample('sleeper')).toEqual({ cls: 'other', where: 'hrtimer_nanosleep' });
    expect(sample('pause')).toEqual({ cls: 'other', where: '__do_sys_pause' });
  });

  it('puts D state, fsync and journal commits on the disk, and asks for the wchan only when the syscall does not tell', () => {
    expect(classifySample('D', { nr: 0, args: [] }, 'io_schedule', 'x64')).toEqual({ cls: 'disk' });
    expect(classifySample('S', { nr: 74, args: ['0x5'] }, '', 'x64')).toEqual({ cls: 'disk' });
    expect(classifySample('S', { nr: 0, args: [] }, 'jbd2_log_wait_commit', 'x64')).toEqual({ cls: 'disk' });
    expect(classifySample('S', { nr: 0, args: [] }, 'sk_wait_data', 'x64')).toEqual({ cls: 'network' });
    // waiting to accept or poll is a dispatcher's wait; a recv on one connection is a worker's
    expect(classifySample('S', { nr: 43, args: ['0x3'] }, '', 'x64')).toEqual({ cls: 'network', dispatch: true });
    expect(classifySample('S', { nr: 45, args: ['0x5'] }, '', 'x64')).toEqual({ cls: 'network' });
    expect(classifySample('S', { nr: 0, args: [] }, 'inet_csk_accept', 'x64')).toEqual({ cls: 'network', dispatch: true });
    expect(classifySample('S', undefined, 'futex_wait_queue', 'x64')).toEqual({ cls: 'lock' });
    expect(needsWchan('S', { nr: 202, args: [] }, 'x64')).toBe(false);
    expect(needsWchan('S', { nr: 0, args: [] }, 'x64')).toBe(true);
    expect(needsWchan('D', { nr: 74, args: [] }, 'x64')).toBe(true);
    expect(needsWchan('R', undefined, 'x64')).toBe(false);
  });
});
