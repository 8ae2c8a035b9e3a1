/** The eight levels of a text sparkline, lowest first. */
export const SPARK_LEVELS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

/** Drawn for a period with no datapoint. */
export const SPARK_GAP = '·';

/** Formats a metric value compactly: at most 4 significant digits, k/M/G suffixes for large values. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const units: Array<[number, number, string]> = [
    [1e9, 1e9, 'G'],
    [1e6, 1e6, 'M'],
    [1e4, 1e3, 'k'],
  ];
  for (const [from, size, suffix] of units) {
    if (abs >= from) return `${trimNumber(value / size)}${suffix}`;
  }
  return trimNumber(value);
}

function trimNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 1 : abs >= 1 ? 2 : 3;
  return String(Number(value.toFixed(digits)));
}

/** The level (0–7) of `value` on the scale [min, max]. */
function level(value: number, min: number, max: number): number {
  if (max === min) return 0;
  return Math.min(7, Math.max(0, Math.round(((value - min) / (max - min)) * 7)));
}

/**
 * Draws a text sparkline (▁▂▃▄▅▆▇█) of `values`; `undefined` entries (no datapoint) are drawn as `·`.
 * The scale includes the threshold, so the returned `thresholdMark` shows where it sits.
 */
export function sparkline(
  values: ReadonlyArray<number | undefined>,
  threshold?: number,
): { line: string; thresholdMark?: string } {
  const present = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (present.length === 0) return { line: values.map(() => SPARK_GAP).join('') };
  const scale = threshold !== undefined && Number.isFinite(threshold) ? [...present, threshold] : present;
  const min = Math.min(...scale);
  const max = Math.max(...scale);
  const line = values
    .map((v) => (v === undefined || !Number.isFinite(v) ? SPARK_GAP : SPARK_LEVELS[level(v, min, max)]))
    .join('');
  return {
    line,
    thresholdMark:
      threshold !== undefined && Number.isFinite(threshold)
        ? SPARK_LEVELS[level(threshold, min, max)]
        : undefined,
  };
}

/** Reduces `values` to at most `width` slots, keeping the most extreme value of each bucket. */
export function downsample(
  values: ReadonlyArray<number | undefined>,
  width: number,
  pick: 'max' | 'min' = 'max',
): Array<number | undefined> {
  if (values.length <= width) return [...values];
  const out: Array<number | undefined> = [];
  const size = values.length / width;
  for (let slot = 0; slot < width; slot++) {
    const bucket = values
      .slice(Math.floor(slot * size), Math.floor((slot + 1) * size))
      .filter((v): v is number => v !== undefined);
    out.push(bucket.length === 0 ? undefined : pick === 'max' ? Math.max(...bucket) : Math.min(...bucket));
  }
  return out;
}

/** The symbol of a CloudWatch comparison operator (`GreaterThanThreshold` → `>`). */
export function comparisonSymbol(operator: string | undefined): string | undefined {
  switch (operator) {
    case 'GreaterThanThreshold':
      return '>';
    case 'GreaterThanOrEqualToThreshold':
      return '>=';
    case 'LessThanThreshold':
      return '<';
    case 'LessThanOrEqualToThreshold':
      return '<=';
    default:
      return undefined;
  }
}

/** True when `value` breaches `threshold` under `operator`. */
export function breaches(value: number, threshold: number, operator: string | undefined): boolean {
  switch (operator) {
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
    default:
      return false;
  }
}
