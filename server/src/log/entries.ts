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

/** Printable form of client-supplied text, so a log entry stays one line. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

/** `meta` lines stay short: a field is cut at this many characters. */
const META_FIELD_CHARS = 200;

function metaField(text: string): string {
  const clean = printable(text);
  return clean.length > META_FIELD_CHARS ? `${clean.slice(0, META_FIELD_CHARS)}...` : clean;
}

/** The request line whole, as the course's reference logs it (its length is bounded by the head's limit). */
export function failEntry(requestLine: string, status: number): string {
  return `FAIL: ${printable(requestLine)} --- response ${status}\n${ENTRY_END}`;
}

/** `meta` mode: one short line per request. */
export function metaEntry(method: string, target: string, status: number, length: number): string {
  return `${metaField(method) || '-'} ${metaField(target) || '-'} ${status} ${length}\n`;
}
