// The calibration's own program: runs in a container with the profile's disk at DATA_DIR and its
// limits applied, and prints one JSON line of MiB/s. dd does the I/O because O_DIRECT needs
// aligned buffers, which Node cannot promise.
//   node calibrate-main.js DIR MIB
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

function timed(args: string[]): number | undefined {
  const t = process.hrtime.bigint();
  try {
    execFileSync('dd', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch {
    return undefined; // e.g. O_DIRECT on a file system without it (older tmpfs)
  }
  return Number(process.hrtime.bigint() - t) / 1e9;
}

function rate(mib: number, seconds: number | undefined): number | undefined {
  return seconds === undefined || seconds <= 0 ? undefined : Math.round((mib / seconds) * 100) / 100;
}

function main(): void {
  const [dir, mibText] = process.argv.slice(2);
  const mib = Number(mibText);
  if (!dir || !(mib > 0)) throw new Error('usage: calibrate-main DIR MIB');
  const file = (n: string) => join(dir, `calibrate-${n}`);
  const write = (name: string, extra: string[]) =>
    timed(['if=/dev/zero', `of=${file(name)}`, 'bs=1M', `count=${mib}`, ...extra]);
  const out: Record<string, number | undefined> = {};
  out.directWriteMiBps = rate(mib, write('direct', ['oflag=direct']));
  rmSync(file('direct'), { force: true });
  out.bufferedWriteMiBps = rate(mib, write('buffered', []));
  rmSync(file('buffered'), { force: true });
  out.fsyncWriteMiBps = rate(mib, write('fsync', ['conv=fsync']));
  // drop this file's (clean) pages from the cache, then read it back through the device
  timed([`if=${file('fsync')}`, 'iflag=nocache', 'count=0']);
  // a cold buffered read goes out in read-ahead sized requests, so an IOPS limit caps it far below
  // the bandwidth limit; direct 1 MiB reads show what the bandwidth limit allows
  out.readMiBps = rate(mib, timed([`if=${file('fsync')}`, 'of=/dev/null', 'bs=1M']));
  out.directReadMiBps = rate(mib, timed([`if=${file('fsync')}`, 'of=/dev/null', 'bs=1M', 'iflag=direct']));
  rmSync(file('fsync'), { force: true });
  console.log(JSON.stringify(out));
}

main();
