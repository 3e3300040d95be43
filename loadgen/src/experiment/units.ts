// Sizes and durations as written in experiment files: `4KiB`, `1MiB`, `80MB`, `500ms`, `2s`.
import { formatBinaryBytes } from '../util/binary-bytes.js';

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
  kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4,
};

const DURATION_UNITS: Record<string, number> = { ms: 1e-3, s: 1, m: 60, h: 3600 };

export const SIZE_HELP = 'a size such as 512B, 4KiB, 1MiB, 64MiB, 2GiB or 80MB (a bare number is bytes)';
export const DURATION_HELP = 'a duration such as 500ms, 2s, 1m (a bare number is seconds)';

/** bytes, or undefined when the text is not a size */
export function parseSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
  if (!m) return undefined;
  const factor = SIZE_UNITS[(m[2] || 'b').toLowerCase()];
  if (factor === undefined) return undefined;
  const bytes = Number(m[1]) * factor;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** seconds, or undefined when the text is not a duration */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/.exec(value);
  if (!m) return undefined;
  const factor = DURATION_UNITS[m[2] || 's'];
  return factor === undefined ? undefined : Number(m[1]) * factor;
}

/** as an experiment file writes it: 4096 -> "4KiB", 1.5 MiB -> "1.50MiB" (util/binary-bytes.ts) */
export function formatBytes(bytes: number): string {
  return formatBinaryBytes(bytes, 'compact');
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}
