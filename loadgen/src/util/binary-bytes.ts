// Bytes in binary units, the one way the lab writes a size: the report's words and the
// experiment files' compact sizes are its two styles.

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

function trimNumber(value: number): string {
  return String(Number(value.toFixed(value >= 100 ? 0 : 2)));
}

/** bytes (unit 0) and whole numbers as they are; else 2 decimals below 10, 1 from 10 on */
function fixedNumber(value: number, unit: number): string {
  return unit === 0 || Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 1);
}
