// speedlab net peer|rtt|link: the network path between two engines (split mode). `peer` runs on
// the server's machine; `rtt` and `link` run on the load generator's and print one JSON line.
import { parseArgs } from 'node:util';
import { CliError } from '../errors.js';
import { measureLink, measureRtt } from '../network/measure.js';
import { startPeer } from '../network/peer.js';

const USAGE = `usage: speedlab net peer --host ADDR --port N
       speedlab net rtt --target HOST:PORT [--count N]
       speedlab net link --target HOST:PORT [--direction down|up] [--seconds S] [--streams N]`;

function int(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || n < min || n > max) throw new CliError(`--${name}: got '${text}'; expected a number from ${min} to ${max}`, 2);
  return n;
}

function target(text: string | undefined): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(text ?? '');
  if (!m) throw new CliError(`--target: got '${text ?? ''}'; expected HOST:PORT\n${USAGE}`, 2);
  return { host: m[1]!, port: Number(m[2]) };
}

export async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        host: { type: 'string' }, port: { type: 'string' }, target: { type: 'string' },
        count: { type: 'string' }, direction: { type: 'string', default: 'down' }, seconds: { type: 'string' }, streams: { type: 'string' },
      },
    }));
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n${USAGE}`, 2);
  }
  if (verb === 'peer') {
    if (!values.host || !values.port) throw new CliError(USAGE, 2);
    const port = int('port', values.port, 0, 1, 65535);
    await startPeer(values.host, port).catch((err: Error) => {
      throw new CliError(err.message);
    });
    console.error(`net peer: listening on ${values.host}:${port}`);
    await new Promise(() => {});
    return 0;
  }
  if (verb === 'rtt' || verb === 'link') {
    const { host, port } = target(values.target);
    const direction = values.direction;
    if (direction !== 'down' && direction !== 'up') throw new CliError(`--direction: got '${direction}'; expected down (the peer sends) or up`, 2);
    try {
      const result = verb === 'rtt'
        ? await measureRtt(host, port, int('count', values.count, 50, 1, 100_000))
        : await measureLink(host, port, direction, int('seconds', values.seconds, 2, 0.1, 600), int('streams', values.streams, 4, 1, 64));
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return 0;
    } catch (err) {
      throw new CliError(`net ${verb}: ${(err as Error).message}`);
    }
  }
  throw new CliError(USAGE, 2);
}
