// The results directory: points.jsonl (appended one whole line per point, fsynced, so a killed
// orchestrator leaves valid JSONL) and run.json (replaced atomically).
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { PointRecord, RunInfo } from './record.js';
import { parsePoints, parseRunInfo } from './schema.js';

export const POINTS_FILE = 'points.jsonl';
export const RUN_FILE = 'run.json';

function utcStamp(d = new Date()): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

export function defaultRunDir(root: string, name: string, d = new Date()): string {
  return path.join(root, `${name}-${utcStamp(d)}`);
}

/**
 * The records in points.jsonl. A trailing line without its newline is what an interrupted
 * write leaves: it is cut off (the file truncated to the last whole line). A wrong line throws
 * a ResultsFormatError naming it.
 */
export function readPoints(dir: string): PointRecord[] {
  const file = path.join(dir, POINTS_FILE);
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  const { points } = parsePoints(text, file);
  const end = text.lastIndexOf('\n') + 1;
  if (end < text.length) truncateSync(file, Buffer.byteLength(text.slice(0, end)));
  return points;
}

export class PointsWriter {
  private readonly fd: number;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.fd = openSync(path.join(dir, POINTS_FILE), 'a');
  }

  /** one write of one whole line, then fsync */
  append(record: PointRecord): void {
    const line = Buffer.from(`${JSON.stringify(record)}\n`);
    let off = 0;
    while (off < line.length) off += writeSync(this.fd, line, off);
    fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }
}

export function writeRunInfo(dir: string, info: RunInfo): void {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, RUN_FILE);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(info, null, 2)}\n`);
  const fd = openSync(tmp, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, file);
}

export function readRunInfo(dir: string): RunInfo | undefined {
  const file = path.join(dir, RUN_FILE);
  if (!existsSync(file)) return undefined;
  return parseRunInfo(readFileSync(file, 'utf8'), file);
}
