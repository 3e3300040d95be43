// The server's command line inside its container: the reference server's options, or a user's
// own command with {port}, {threads} and {log} filled in.
import { DATA_DIR, LOG_PATH } from '../disk/provision.js';
import type { ServerSpec } from './types.js';

export const SERVER_PORT = 8080;

export function fillPlaceholders(command: string[], values: Record<string, string>): string[] {
  return command.map((arg) =>
    arg.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? (values[key] as string) : whole)),
  );
}

/** without a log, "-l {log}" goes, flag included (as the local runtime does) */
export function withoutLog(command: string[]): string[] {
  const out: string[] = [];
  command.forEach((arg, i) => {
    if (!arg.includes('{log}')) out.push(arg);
    else if (arg === '{log}' && i > 0 && command[i - 1]!.startsWith('-')) out.pop();
  });
  return out;
}

export function serverCommand(spec: ServerSpec, port = SERVER_PORT): string[] {
  if (spec.impl.kind === 'command') {
    throw new Error('a server given as a command runs on the local runtime; for Docker give image: and command:');
  }
  if (spec.impl.kind === 'image') {
    const command = spec.log === 'off' ? withoutLog(spec.impl.command) : spec.impl.command;
    return fillPlaceholders(command, { port: String(port), threads: String(spec.threads), log: LOG_PATH });
  }
  return [
    'node', '/app/dist/server/src/cli.js', String(port), '-N', String(spec.threads),
    ...(spec.log === 'off' ? [] : ['-l', LOG_PATH, '--log-mode', spec.log]),
    '--lock', spec.lock, '--log-write', spec.logWrite, '--sync', spec.sync, '--dir', DATA_DIR,
    ...(spec.ioDelayMs ? ['--io-delay', String(spec.ioDelayMs)] : []),
    ...(spec.logDelayMs && spec.log !== 'off' ? ['--log-delay', String(spec.logDelayMs)] : []),
  ];
}
