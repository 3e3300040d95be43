// Readiness without a connection: a server is ready when its socket listens, which the kernel
// shows in /proc/net/tcp{,6} of the network namespace. A connect-and-close probe is an empty
// connection, the one thing some course servers crash on (DESIGN §4).
import { readFileSync } from 'node:fs';

const LISTEN = '0A';

/** the ports with a socket in LISTEN state in these /proc/net/tcp tables */
export function listeningPorts(tables: string[]): Set<number> {
  const ports = new Set<number>();
  for (const table of tables) {
    for (const line of table.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state !== LISTEN || !local) continue;
      ports.add(parseInt(local.slice(local.lastIndexOf(':') + 1), 16));
    }
  }
  return ports;
}

/** whether something listens on this port in this process's network namespace; undefined when /proc does not say */
export function isListening(port: number): boolean | undefined {
  const tables: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      tables.push(readFileSync(file, 'utf8'));
    } catch {
      // no IPv6, or no /proc
    }
  }
  return tables.length ? listeningPorts(tables).has(port) : undefined;
}
