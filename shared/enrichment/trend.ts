import { formatValue } from './sparkline';

/** How the alarmed metric got where it is. */
export type TrendKind = 'spike' | 'gradual rise' | 'sudden drop' | 'gradual decline' | 'steady' | 'unknown';

/** The trend of the alarmed metric over the lookback window, compared with the same window a day earlier. */
export interface Trend {
  kind: TrendKind;
  /** The latest value, the typical value before the change, and the typical value a day earlier. */
  latest?: number;
  before?: number;
  dayEarlier?: number;
  /** One line for humans, e.g. "spike: 15 now, ~1 before; same window a day earlier ~1 (15×)". */
  text: string;
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function spread(values: readonly number[], center: number): number {
  return median(values.map((v) => Math.abs(v - center))) ?? 0;
}

function comparison(latest: number, dayEarlier: number | undefined): string {
  if (dayEarlier === undefined) return 'no data for the same window a day earlier';
  const base = `same window a day earlier ~${formatValue(dayEarlier)}`;
  if (dayEarlier === 0) return latest === 0 ? `${base} (the same)` : base;
  const ratio = latest / dayEarlier;
  if (ratio >= 0.8 && ratio <= 1.25) return `${base} (usual for this time of day)`;
  return `${base} (${formatValue(Number(ratio.toFixed(ratio >= 10 ? 0 : 1)))}×)`;
}

/**
 * Classifies the current window (oldest first) as a spike (a jump in the last fifth of the window
 * from a flat level), a gradual rise (the climb is spread over the window), their downward
 * counterparts for `LessThan` alarms, or steady; `direction` is the way that breaches the alarm.
 */
export function classifyTrend(
  current: readonly number[],
  dayEarlier: readonly number[],
  direction: 'up' | 'down' = 'up',
): Trend {
  const baseline = median(dayEarlier);
  if (current.length < 3) {
    const latest = current[current.length - 1];
    return {
      kind: 'unknown',
      latest,
      dayEarlier: baseline,
      text:
        latest === undefined
          ? 'unknown: no recent datapoints'
          : `unknown: too few datapoints (${formatValue(latest)} now); ${comparison(latest, baseline)}`,
    };
  }
  const sign = direction === 'up' ? 1 : -1;
  const tailLength = Math.max(1, Math.round(current.length / 5));
  const head = current.slice(0, current.length - tailLength);
  const tail = current.slice(current.length - tailLength);
  const latest = current[current.length - 1] as number;
  const extreme = sign > 0 ? Math.max(...tail) : Math.min(...tail);
  const firstHalf = current.slice(0, Math.ceil(current.length / 2));
  const start = median(firstHalf.slice(0, Math.max(1, Math.ceil(firstHalf.length / 2)))) as number;
  const before = median(head) as number;
  const noise = Math.max(spread(head, before), Math.abs(before) * 0.05, 1e-9);
  const jump = (extreme - before) * sign;
  const total = (extreme - start) * sign;
  const headRise = ((sign > 0 ? Math.max(...head) : Math.min(...head)) - start) * sign;
  let kind: TrendKind = 'steady';
  if (jump > 3 * noise && jump > Math.abs(before) * 0.25 && headRise < jump * 0.4) {
    kind = sign > 0 ? 'spike' : 'sudden drop';
  } else if (total > 3 * noise && total > Math.abs(start) * 0.2 && headRise >= total * 0.4) {
    kind = sign > 0 ? 'gradual rise' : 'gradual decline';
  }
  const compared = comparison(latest, baseline);
  const span = `${formatValue(latest)} now`;
  const text =
    kind === 'spike' || kind === 'sudden drop'
      ? `${kind}: ${span}, ~${formatValue(before)} before; ${compared}`
      : kind === 'steady'
        ? `steady: ~${formatValue(median(current) as number)} across the window (${span}); ${compared}`
        : `${kind}: from ~${formatValue(start)} to ${formatValue(latest)} over the window; ${compared}`;
  return { kind, latest, before, dayEarlier: baseline, text };
}
