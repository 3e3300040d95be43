// The network path's measurements on loopback: what `speedlab net` reports for round trips and
// bandwidth on this machine, both ways. A figure to read (idle loopback: tens of µs, GB/s), not a
// bound the tests assert: a busy machine moves both by an order of magnitude.
// Build first (npx tsc -p .), then: node dist/bench/loopback-path.js [--seconds 2] [--streams 4]
import { availableParallelism, hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { measureLink, measureRtt } from '../loadgen/src/network/measure.js';
import { startPeer } from '../loadgen/src/network/peer.js';
import { freePort } from '../loadgen/src/runtime/local/ports.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '2' }, streams: { type: 'string', default: '4' } } });
  const seconds = Number(values.seconds);
  const streams = Number(values.streams);
  const port = await freePort();
  const peer = await startPeer('127.0.0.1', port);
  try {
    const rtt = await measureRtt('127.0.0.1', port, 200);
    console.log(`loopback on ${hostname()} (${availableParallelism()} CPUs)`);
    console.log(`  round trip, ${rtt.samples} samples: min ${rtt.minUs} µs, p50 ${rtt.p50Us} µs, max ${rtt.maxUs} µs`);
    for (const direction of ['down', 'up'] as const) {
      const link = await measureLink('127.0.0.1', port, direction, seconds, streams);
      console.log(`  link ${direction.padEnd(4)} ${streams} streams, ${link.seconds} s: ${(link.bytesPerS / 1e6).toFixed(0)} MB/s`);
    }
  } finally {
    peer.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
