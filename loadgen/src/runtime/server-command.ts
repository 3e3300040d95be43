// A user's own server command: placeholders filled per point, in either runtime.
import type { ServerSpec } from './types.js';

function fillPlaceholders(command: string[], values: Record<string, string>): string[] {
  return command.map((arg) =>
    arg.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? (values[key] as string) : whole)),
  );
}

/** without a log, "-l {log}" goes, flag included */
function withoutLog(command: string[]): string[] {
  const out: string[] = [];
  command.forEach((arg, i) => {
    if (!arg.includes('{log}')) out.push(arg);
    else if (arg === '{log}' && i > 0 && command[i - 1]!.startsWith('-')) out.pop();
  });
  return out;
}

/**
 * the argv of a command: server: {port}, {threads}, {log}, the designs {lock}, {logWrite}, {sync},
 * and {host}, the address to listen on (127.0.0.1 but with two engines)
 */
export function userCommand(command: string[], spec: ServerSpec, port: number, logFile: string, host = '127.0.0.1'): string[] {
  const argv = spec.log === 'off' ? withoutLog(command) : command;
  return fillPlaceholders(argv, {
    port: String(port), threads: String(spec.threads), log: logFile, lock: spec.lock, logWrite: spec.logWrite, sync: spec.sync, host,
  });
}
