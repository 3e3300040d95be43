// The calibration's own program: runs in a container with the profile's disk at DATA_DIR and its
// limits applied, and prints one JSON line of MiB/s. dd does the I/O because O_DIRECT needs
// aligned buffers, which Node cannot promise.
//   node calibrate-main.js DIR MIB [WRITE_PASSES READ_PASSES]
// the passes: how many times the direct write and the direct read go over the file (disk/calibrate.ts).
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

/** the seconds of `passes` runs of one timed step; undefined when any fails */
function repeated(passes: number, step: () => number | undefined): number | undefined {
  let total = 0;
  for (let i = 0; i < passes; i++) {
    const s = step();
    if (s === undefined) return undefined;
    total += s;
  }
  return total;
}

function rate(mib: number, seconds: number | undefined): number | undefined {
  return seconds === undefined || seconds <= 0 ? undefined : Math.round((mib / seconds) * 100) / 100;
}

function main(): void {
  const [dir, mibText, writeText = '1', readText = '1'] = process.argv.slice(2);
  const mib = Number(mibText);
  const [writePasses, readPasses] = [Number(writeText), Number(readText)];
  const valid = (n: number) => Number.isInteger(n) && n >= 1;
  if (!dir || !(mib > 0) || !valid(writePasses) || !valid(readPasses)) throw new Error('usage: calibrate-main DIR MIB [WRITE_PASSES READ_PASSES]');
  const file = (n: string) => join(dir, `calibrate-${n}`);
  const write = (name: string, extra: string[]) =>
    timed(['if=/dev/zero', `of=${file(name)}`, 'bs=1M', `count=${mib}`, ...extra]);
  const out: Record<string, number | undefined> = {};
  out.directWriteMiBps = rate(mib * writePasses, repeated(writePasses, () => write('direct', ['oflag=direct', 'conv=notrunc'])));
  rmSync(file('direct'), { force: true });
  out.bufferedWriteMiBps = rate(mib, write('buffered', []));
  rmSync(file('buffered'), { force: true });
  out.fsyncWriteMiBps = rate(mib, write('fsync', ['conv=fsync']));
  // drop this file's (clean) pages from the cache, then read it back through the device
  timed([`if=${file('fsync')}`, 'iflag=nocache', 'count=0']);
  // a cold buffered read goes out in read-ahead sized requests, so an IOPS limit caps it far below
  // the bandwidth limit; direct 1 MiB reads show what the bandwidth limit allows
  out.readMiBps = rate(mib, timed([`if=${file('fsync')}`, 'of=/dev/null', 'bs=1M']));
  out.directReadMiBps = rate(mib * readPasses, repeated(readPasses, () => timed([`if=${file('fsync')}`, 'of=/dev/null', 'bs=1M', 'iflag=direct'])));
  rmSync(file('fsync'), { force: true });
  console.log(JSON.stringify(out));
}

main();
