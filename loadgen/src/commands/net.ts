// speedlab net peer|rtt|link: the network path between two engines (split mode). `peer` runs on
// the server's machine; `rtt` and `link` run on the load generator's and print one JSON line.
import { CliError } from '../errors.js';
import { measureLink, measureRtt } from '../network/measure.js';
import { startPeer } from '../network/peer.js';
import { NET } from './definitions.js';

function int(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || n < min || n > max) throw NET.fail(`--${name}: got '${text}'; expected a number from ${min} to ${max}`);
  return n;
}

function target(text: string | undefined): { host: string; port: number } {
  if (text === undefined) throw NET.fail('rtt and link need --target HOST:PORT (where net peer listens)', true);
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(text);
  if (!m) throw NET.fail(`--target: got '${text}'; expected HOST:PORT`);
  return { host: m[1]!, port: Number(m[2]) };
}

export async function main(argv: string[]): Promise<number> {
  const args = NET.parse(argv);
  if (!args) return 0;
  const { values } = args;
  const verb = args.operands[0]!;
  if (verb === 'peer') {
    if (!values.host || !values.port) throw NET.fail('peer needs --host ADDR and --port N', true);
    const port = int('port', values.port, 1, 65535);
    await startPeer(values.host, port).catch((err: Error) => {
      throw new CliError(err.message, 1, { cause: err });
    });
    console.error(`net peer: listening on ${values.host}:${port}`);
    await new Promise(() => {});
    return 0;
  }
  if (verb === 'rtt' || verb === 'link') {
    const { host, port } = target(values.target);
    const direction = values.direction;
    if (direction !== 'down' && direction !== 'up') throw NET.fail(`--direction: got '${direction}'; expected down (the peer sends) or up`);
    const count = int('count', values.count, 1, 100_000);
    const seconds = int('seconds', values.seconds, 0.1, 600);
    const streams = int('streams', values.streams, 1, 64);
    try {
      const result = verb === 'rtt' ? await measureRtt(host, port, count) : await measureLink(host, port, direction, seconds, streams);
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return 0;
    } catch (err) {
      throw new CliError(`net ${verb}: ${(err as Error).message}`, 1, { cause: err });
    }
  }
  throw NET.fail(`got '${verb}'; expected peer, rtt or link`, true);
}
