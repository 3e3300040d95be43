// Human-readable numbers for the report's words and tables.
import { formatBinaryBytes } from '../util/binary-bytes.js';

/** the report's words: 4096 -> "4 KiB", 1048576 -> "1 MiB", 1500 -> "1.46 KiB" */
export function formatSize(bytes: number): string {
  return formatBinaryBytes(bytes, 'words');
}

/** Decimal megabytes per second, the unit disk limits are given in ("80MB"). */
export function formatMBps(bytesPerS: number | null | undefined): string {
  if (bytesPerS == null || !Number.isFinite(bytesPerS)) return '–';
  return `${formatNumber(bytesPerS / 1e6)} MB/s`;
}

export function formatNumber(value: number | null | undefined, digits = 3): string {
  if (value == null || !Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e7)) return value.toExponential(digits - 1);
  if (abs >= 10 ** digits) return Math.round(value).toLocaleString('en-US');
  return String(Number(value.toPrecision(digits)));
}

export function formatPercent(ratio: number | null | undefined): string {
  if (ratio == null || !Number.isFinite(ratio)) return '–';
  return `${formatNumber(ratio * 100, ratio >= 1 ? 3 : 2)}%`;
}

export function formatMicros(us: number | null | undefined): string {
  if (us == null || !Number.isFinite(us)) return '–';
  if (us < 1000) return `${formatNumber(us)} µs`;
  if (us < 1e6) return `${formatNumber(us / 1000)} ms`;
  return `${formatNumber(us / 1e6)} s`;
}
