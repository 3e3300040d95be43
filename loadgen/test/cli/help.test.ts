// Every command of the compiled CLI, walked from its definition (commands/definitions.ts): its
// --help on stdout with each flag described, `help CMD` the same, an unknown flag one line naming
// the flag and the command (exit 2); and a page that cannot be written, one line without a stack.
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { Command } from '../../src/commands/define.js';
import { COMMANDS } from '../../src/commands/definitions.js';
import { runCli } from '../fixtures/cli.js';
import { knownRun, removeTempDirs, tempDir, writeRun } from '../report/fixtures.js';

afterAll(removeTempDirs);

const ALL: readonly Command[] = COMMANDS;
/** the help's words with its padding and wrapping undone */
const squeeze = (text: string) => text.replace(/\s+/g, ' ');
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('speedlab', () => {
  test('--help and help list every command with its summary, on stdout, exit 0', async () => {
    const [long, short, help] = await Promise.all([runCli(['--help']), runCli(['-h']), runCli(['help'])]);
    expect(long.code).toBe(0);
    expect(long.stderr).toBe('');
    expect(long.stdout).toMatch(/^usage: speedlab <command>/);
    for (const c of ALL) expect(long.stdout).toMatch(new RegExp(`^  ${c.name} +${literal(c.summary)}$`, 'm'));
    expect(short).toEqual(long);
    expect(help).toEqual(long);
  });

  test('no command: the list on stderr, exit 2; an unknown one: one line naming it', async () => {
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^usage: speedlab <command>/);
    for (const args of [['bogus'], ['help', 'bogus']]) {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`speedlab: unknown command 'bogus'; the commands are ${ALL.map((c) => c.name).join(', ')} (speedlab --help describes them)\n`);
    }
  });
});

describe.each(ALL.map((c) => [c.name, c] as const))('speedlab %s', (name, c) => {
  test('--help: each flag with its description, on stdout, exit 0; -h and help CMD print the same', async () => {
    const [own, short, viaHelp] = await Promise.all([runCli([name, '--help']), runCli([name, '-h']), runCli(['help', name])]);
    expect(own.code, own.stderr).toBe(0);
    expect(own.stderr).toBe('');
    expect(own.stdout).toMatch(new RegExp(`^speedlab ${name}: ${literal(c.summary)}\n\nusage: speedlab ${name} `));
    const page = squeeze(own.stdout);
    for (const [flag, f] of Object.entries(c.flags)) {
      expect(f.description.trim(), `--${flag}`).not.toBe('');
      expect(page).toContain(` --${flag}${f.type === 'string' ? ` ${f.value}` : ''} ${squeeze(f.description)}`);
    }
    expect(page).toContain(' -h, --help print this help');
    expect(page).toMatch(/ examples: speedlab /);
    expect(short).toEqual(own);
    expect(viaHelp).toEqual(own);
  });

  test('an unknown flag: one line naming it and the command, exit 2', async () => {
    const r = await runCli([name, '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const flags = [...Object.keys(c.flags), 'help'].map((f) => `--${f}`).join(', ');
    expect(r.stderr).toBe(`speedlab: ${name}: unknown flag '--bogus'; ${name} takes ${flags} (speedlab ${name} --help describes each)\n`);
  });
});

describe('bad flags name the command, the flag and what it needs (exit 2, one line)', () => {
  test.each([
    [['run', 'x.yaml', '--outt', 'd'], "speedlab: run: unknown flag '--outt' (did you mean --out?); "],
    [['plan', '-x'], "speedlab: plan: unknown flag '-x'; plan takes --help"],
    [['run', 'x.yaml', '--out'], 'speedlab: run: --out needs a value: --out DIR\n'],
    [['run', 'x.yaml', '--out', '--resume'], "speedlab: run: --out needs a value, got the flag '--resume' (a value that starts with - goes as --out=VALUE)\n"],
    [['run', 'x.yaml', '--resume=yes'], "speedlab: run: --resume takes no value (got 'yes'); give --resume alone\n"],
    [['check', '--runtime', 'vm', 'x.yaml'], "speedlab: check: --runtime: got 'vm'; expected one of auto, local, docker\n"],
    [['net', 'rtt', '--target', '127.0.0.1:1', '--count', 'many'], "speedlab: net: --count: got 'many'; expected a number from 1 to 100000\n"],
  ])('%j', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stderr.startsWith(message)).toBe(true);
  });
});

test('compare -o into a directory that does not exist: one line naming the page, the path, why and what to do', async () => {
  const root = await tempDir();
  const [a, b] = [await writeRun(join(root, 'a'), knownRun()), await writeRun(join(root, 'b'), knownRun())];
  const r = await runCli(['compare', a, b, '-o', '/nonexistent/x.html']);
  expect(r.code).toBe(1);
  expect(r.stderr).toBe('speedlab: cannot write the comparison page /nonexistent/x.html: the directory /nonexistent does not exist; create it, or give -o a file in a directory you can write\n');
});
