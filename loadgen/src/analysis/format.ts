// Human-readable numbers for the report's words and tables.

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/**
 * bytes in the largest binary unit (up to TiB) that leaves at least 1, written one of two ways:
 * - `words`, the report's: a space, at most two decimals without trailing zeros, none from 100 on
 *   (4096 -> "4 KiB", 1500 -> "1.46 KiB", 1.5 MiB -> "1.5 MiB")
 * - `compact`, as experiment files write sizes (experiment/units.ts): no space, a whole number
 *   as it is, a fraction with two decimals below 10 and one from 10 on (4096 -> "4KiB",
 *   1.5 MiB -> "1.50MiB", 100.5 KiB -> "100.5KiB")
 */
export function formatBinaryBytes(bytes: number, style: 'words' | 'compact'): string {
  if (!Number.isFinite(bytes)) return '–';
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BINARY_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return style === 'words' ? `${trimNumber(value)} ${BINARY_UNITS[unit]}` : `${fixedNumber(value, unit)}${BINARY_UNITS[unit]}`;
}

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

function trimNumber(value: number): string {
  return String(Number(value.toFixed(value >= 100 ? 0 : 2)));
}

/** bytes (unit 0) and whole numbers as they are; else 2 decimals below 10, 1 from 10 on */
function fixedNumber(value: number, unit: number): string {
  return unit === 0 || Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 1);
}
