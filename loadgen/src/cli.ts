#!/usr/bin/env node
// speedlab — the lab's command line. Each command is defined in commands/definitions.ts (its flags,
// help and usage errors) and does its work in its own module under commands/.
import { COMMANDS, type CommandName } from './commands/definitions.js';
import { CliError, SpeedlabError } from './errors.js';

type Module = { main(argv: string[]): Promise<number> };

// loaded only when run: a command's imports (dockerode, vega) cost nothing to the others
const modules: Record<CommandName, () => Promise<Module>> = {
  image: () => import('./commands/image.js'),
  calibrate: () => import('./commands/calibrate.js'),
  plan: () => import('./commands/plan.js'),
  check: () => import('./commands/check.js'),
  run: () => import('./commands/run.js'),
  loadgen: () => import('./commands/loadgen.js'),
  report: () => import('./commands/report.js'),
  net: () => import('./commands/net.js'),
  compare: () => import('./commands/compare.js'),
};

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `usage: speedlab <command> [flags]\n\ncommands:\n${lines.join('\n')}\n\nspeedlab <command> --help (or speedlab help <command>) describes its flags, with examples`;
}

function command(name: string): (typeof COMMANDS)[number] {
  const c = COMMANDS.find((d) => d.name === name);
  if (!c) throw new CliError(`unknown command '${name}'; the commands are ${COMMANDS.map((d) => d.name).join(', ')} (speedlab --help describes them)`, 2);
  return c;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    console.error(usage());
    return 2;
  }
  if (name === '--help' || name === '-h' || (name === 'help' && rest.length === 0)) {
    console.log(usage());
    return 0;
  }
  if (name === 'help') {
    if (rest.length > 1) throw new CliError(`help: takes one command, got '${rest.join(' ')}'; e.g. speedlab help run`, 2);
    console.log(command(rest[0]!).help());
    return 0;
  }
  // --help and usage errors come from the definition, before the module (and its imports) loads
  const c = command(name);
  if (c.parse(rest) === undefined) return 0;
  return (await modules[c.name]()).main(rest);
}

let finished = false;
// A command whose last pending promise can no longer settle (a connection that closed without an
// answer) would otherwise end with exit code 0 as if it had succeeded.
process.once('beforeExit', () => {
  if (finished) return;
  console.error('speedlab: the command stopped before it finished: a connection it was waiting on closed without an answer');
  process.exitCode = 1;
});

main(process.argv.slice(2)).finally(() => { finished = true; }).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    if (err instanceof SpeedlabError) {
      console.error(`speedlab: ${err.message}`);
      process.exitCode = err.exitCode;
    } else {
      console.error(err);
      process.exitCode = 1;
    }
  },
);
