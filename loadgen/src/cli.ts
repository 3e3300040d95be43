#!/usr/bin/env node
// speedlab — the lab's command line. Each subcommand lives in its own module under commands/.
import { SpeedlabError } from './errors.js';

type Command = { summary: string; load: () => Promise<{ main(argv: string[]): Promise<number> }> };

const commands: Record<string, Command> = {
  image: { summary: 'build the speedlab Docker image (offline: from the host\'s Node)', load: () => import('./commands/image.js') },
  calibrate: { summary: 'measure what a disk profile really delivers', load: () => import('./commands/calibrate.js') },
  plan: { summary: 'show an experiment\'s grid, point count, estimated time and bytes', load: () => import('./commands/plan.js') },
  check: { summary: 'start your server as a run would and probe it: a checklist, a verdict and the client settings that suit it', load: () => import('./commands/check.js') },
  run: { summary: 'run an experiment\'s sweep and write its results', load: () => import('./commands/run.js') },
  loadgen: { summary: 'run one load-generator job (used by run; JSON result on stdout)', load: () => import('./commands/loadgen.js') },
  report: { summary: 'write a run\'s report.html and summary.csv (--index DIR: one page linking every run in DIR)', load: () => import('./commands/report.js') },
  net: { summary: 'the network path between two engines: peer, rtt, link (used by run with two engines)', load: () => import('./commands/net.js') },
  compare: { summary: 'one report comparing two runs side by side', load: () => import('./commands/compare.js') },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: speedlab <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nspeedlab <command> --help for details`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`speedlab: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const mod = await command.load();
  return mod.main(rest);
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
