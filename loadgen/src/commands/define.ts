// One definition per command (name, summary, operands, flags with types, defaults and
// descriptions, examples), and from it the command's parsing, its --help and its usage errors
// (DESIGN §1). Built on node:util's parseArgs, whose tokens are checked here so that every
// message names the command and the flag in the lab's words.
import { parseArgs } from 'node:util';
import { CliError } from '../errors.js';

interface StringFlag {
  type: 'string';
  /** the value's name in --help, e.g. DIR */
  value: string;
  /** one line for --help */
  description: string;
  short?: string;
  default?: string;
  /** a default that the command works out itself, shown in --help only */
  defaultText?: string;
  /** the only values allowed */
  choices?: readonly string[];
  /** may be given more than once: an array, empty when absent */
  multiple?: boolean;
}

interface BooleanFlag {
  type: 'boolean';
  description: string;
  short?: string;
}

type Flag = StringFlag | BooleanFlag;
type Flags = Record<string, Flag>;

interface Operand { name: string; description: string; optional?: boolean }

interface Definition<F extends Flags, N extends string = string> {
  name: N;
  summary: string;
  /** the synopsis: each line follows `speedlab NAME ` */
  usage: readonly string[];
  /** what the flags alone do not say (a few lines) */
  details?: string;
  operands?: readonly Operand[];
  /** what follows `--` (check's server command line); without it `--` ends the flags as usual */
  rest?: Operand;
  flags: F;
  examples: readonly string[];
}

type ValueOf<T> = T extends BooleanFlag ? boolean
  : T extends { multiple: true } ? string[]
  : T extends { choices: readonly (infer C)[] } ? (T extends { default: string } ? C : C | undefined)
  : T extends { default: string } ? string : string | undefined;

interface Parsed<F extends Flags> {
  values: { -readonly [K in keyof F]: ValueOf<F[K]> };
  operands: string[];
  /** the words after `--`, for a command with `rest`; undefined when there is no `--` */
  rest: string[] | undefined;
}

export interface Command<F extends Flags = Flags, N extends string = string> extends Definition<F, N> {
  /** the values and operands, or undefined after printing --help (which wins over any error) */
  parse(argv: readonly string[]): Parsed<F> | undefined;
  help(): string;
  /** a usage error of this command (exit 2): `NAME: message`, and the synopsis when asked */
  fail(message: string, withUsage?: boolean, options?: ErrorOptions): CliError;
}

const HELP_FLAG: BooleanFlag = { type: 'boolean', short: 'h', description: 'print this help' };

export function defineCommand<const F extends Flags, const N extends string>(def: Definition<F, N>): Command<F, N> {
  const command: Command<F, N> = {
    ...def,
    parse: (argv) => parse(command, argv),
    help: () => helpText(def),
    fail: (message, withUsage = false, options) =>
      new CliError(`${def.name}: ${message}${withUsage ? `\n${synopsis(def)}\nspeedlab ${def.name} --help describes its flags` : ''}`, 2, options),
  };
  return command;
}

function parse<F extends Flags>(cmd: Command<F>, argv: readonly string[]): Parsed<F> | undefined {
  const dash = cmd.rest ? argv.indexOf('--') : -1;
  const own = dash >= 0 ? argv.slice(0, dash) : [...argv];
  const options = Object.fromEntries(Object.entries({ ...cmd.flags, help: HELP_FLAG }).map(([name, f]) => [name, { type: f.type, ...(f.short && { short: f.short }) }]));
  // strict: false so that an unknown flag becomes a token to word here, not Node's message
  const { tokens } = parseArgs({ args: own, options, strict: false, allowPositionals: true, tokens: true });
  if (tokens.some((t) => t.kind === 'option' && t.name === 'help')) {
    console.log(cmd.help());
    return undefined;
  }
  const values: Record<string, string | boolean | string[] | undefined> = {};
  for (const [name, f] of Object.entries(cmd.flags)) values[name] = f.type === 'boolean' ? false : f.multiple ? [] : f.default;
  const operands: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'positional') operands.push(t.value);
    if (t.kind !== 'option') continue;
    const flag = Object.hasOwn(cmd.flags, t.name) ? cmd.flags[t.name] : undefined;
    if (!flag) throw cmd.fail(unknownFlag(cmd, t.rawName));
    if (flag.type === 'boolean') {
      if (t.value !== undefined) throw cmd.fail(`${t.rawName} takes no value (got '${t.value}'); give ${t.rawName} alone`);
      values[t.name] = true;
      continue;
    }
    const label = `--${t.name}`;
    if (t.value === undefined || t.value === '') throw cmd.fail(`${label} needs a value: ${label} ${flag.value}`);
    if (!t.inlineValue && t.value.startsWith('-') && t.value !== '-') throw cmd.fail(`${label} needs a value, got the flag '${t.value}' (a value that starts with - goes as ${label}=VALUE)`);
    if (flag.choices && !flag.choices.includes(t.value)) throw cmd.fail(`${label}: got '${t.value}'; expected one of ${flag.choices.join(', ')}`);
    const prev = values[t.name];
    values[t.name] = flag.multiple && Array.isArray(prev) ? [...prev, t.value] : t.value;
  }
  checkOperands(cmd, operands);
  return { values: values as Parsed<F>['values'], operands, rest: dash >= 0 ? argv.slice(dash + 1) : undefined };
}

function checkOperands(cmd: Command, operands: string[]): void {
  const defs = cmd.operands ?? [];
  const missing = defs.slice(operands.length).filter((o) => !o.optional);
  if (missing.length === 1) throw cmd.fail(`missing ${missing[0]!.name}: ${missing[0]!.description}`, true);
  if (missing.length > 1) throw cmd.fail(`missing ${missing.map((o) => o.name).join(' and ')}`, true);
  const extra = operands[defs.length];
  if (extra !== undefined) {
    const takes = defs.length === 0 ? 'flags only' : defs.map((o) => o.name).join(' ');
    throw cmd.fail(`unexpected argument '${extra}': ${cmd.name} takes ${takes}`, true);
  }
}

function unknownFlag(cmd: Command, raw: string): string {
  const names = [...Object.keys(cmd.flags), 'help'];
  const near = raw.startsWith('--') ? names.map((n) => ({ n, d: distance(raw.slice(2), n) })).sort((x, y) => x.d - y.d)[0] : undefined;
  const guess = near && near.d <= 2 ? ` (did you mean --${near.n}?)` : '';
  return `unknown flag '${raw}'${guess}; ${cmd.name} takes ${names.map((n) => `--${n}`).join(', ')} (speedlab ${cmd.name} --help describes each)`;
}

/** Levenshtein distance: to suggest the flag a typo meant */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next.push(Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[b.length]!;
}

function synopsis(def: Definition<Flags>): string {
  return def.usage.map((u, i) => `${i === 0 ? 'usage:' : '      '} speedlab ${def.name} ${u}`).join('\n');
}

/** help lines stay within this many columns: the descriptions wrap under themselves */
const COLUMNS = 100;

function table(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  const room = Math.max(30, COLUMNS - width - 4);
  return rows.flatMap(([left, right]) => wrap(right, room).map((line, i) => `  ${(i === 0 ? left : '').padEnd(width)}  ${line}`.trimEnd()));
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

function flagRow(name: string, f: Flag): [string, string] {
  const label = `${f.short ? `-${f.short}, ` : '    '}--${name}${f.type === 'string' ? ` ${f.value}` : ''}`;
  const shown = f.type === 'string' ? f.defaultText ?? f.default : undefined;
  return [label, `${f.description}${shown === undefined ? '' : ` [default: ${shown}]`}`];
}

function helpText(def: Definition<Flags>): string {
  const operands = [...(def.operands ?? []), ...(def.rest ? [{ ...def.rest, name: `-- ${def.rest.name}` }] : [])];
  return [
    `speedlab ${def.name}: ${def.summary}`,
    '',
    synopsis(def),
    ...(def.details ? ['', def.details] : []),
    ...(operands.length > 0 ? ['', 'arguments:', ...table(operands.map((o) => [o.name, o.description]))] : []),
    '',
    'flags:',
    ...table([...Object.entries(def.flags), ['help', HELP_FLAG] as const].map(([name, f]) => flagRow(name, f))),
    '',
    'examples:',
    ...def.examples.map((e) => `  ${e}`),
  ].join('\n');
}
