// The server's command line inside its container: the reference server's options, or a user's
// own command with {port}, {threads} and {log} filled in.
import { userCommand } from '../../server-command.js';
import type { ServerSpec } from '../../types.js';
import { DATA_DIR, LOG_PATH } from './paths.js';

export const SERVER_PORT = 8080;

/** bind: the address to listen on (absent: the reference server's default, 127.0.0.1) */
export function serverCommand(spec: ServerSpec, port = SERVER_PORT, bind?: string): string[] {
  if (spec.impl.kind === 'command') {
    throw new Error('a server given as a command runs on the local runtime; for Docker give image: and command:');
  }
  if (spec.impl.kind === 'image') {
    return userCommand(spec.impl.command, spec, port, LOG_PATH, bind);
  }
  return [
    'node', '/app/dist/server/src/cli.js', String(port), '-N', String(spec.threads),
    ...(spec.log === 'off' ? [] : ['-l', LOG_PATH, '--log-mode', spec.log]),
    '--lock', spec.lock, '--log-write', spec.logWrite, '--sync', spec.sync, '--dir', DATA_DIR,
    ...(spec.ioDelayMs ? ['--io-delay', String(spec.ioDelayMs)] : []),
    ...(spec.logDelayMs && spec.log !== 'off' ? ['--log-delay', String(spec.logDelayMs)] : []),
    ...(bind ? ['--host', bind] : []),
  ];
}
