import { parseArgs } from 'node:util';
import { CliError } from './errors.js';

/**
 * The argument of a command that takes exactly one positional and `--help`: the positional, or
 * undefined after printing the usage for `--help`. Anything else is a usage error (exit 2).
 */
export function singlePositional(argv: string[], usage: string): string | undefined {
  let positionals: string[];
  let help: boolean | undefined;
  try {
    ({ positionals, values: { help } } = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n${usage}`, 2);
  }
  if (help) {
    console.log(usage);
    return undefined;
  }
  if (positionals.length !== 1) throw new CliError(usage, 2);
  return positionals[0]!;
}
