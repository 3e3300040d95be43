import { hexDumpSize } from './hexdump.js';

export const ENTRY_END = '========\n';

/** Header line of a successful `full` entry. */
export function fullHeader(method: string, name: string, length: number): string {
  return `${method} /${name} length ${length}\n`;
}

/** Total size of a successful `full` entry; `withContent` is false for HEAD. */
export function fullEntrySize(header: string, length: number, withContent: boolean): number {
  return Buffer.byteLength(header, 'latin1') + (withContent ? hexDumpSize(length) : 0) + ENTRY_END.length;
}

/** Printable form of a client-supplied request line, so a log entry stays one line. */
function sanitizeLine(line: string): string {
  const clean = line.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 200 ? `${clean.slice(0, 200)}...` : clean;
}

export function failEntry(requestLine: string, status: number): string {
  return `FAIL: ${sanitizeLine(requestLine)} --- response ${status}\n${ENTRY_END}`;
}

/** `meta` mode: one short line per request. */
export function metaEntry(method: string, target: string, status: number, length: number): string {
  return `${sanitizeLine(method) || '-'} ${sanitizeLine(target) || '-'} ${status} ${length}\n`;
}
