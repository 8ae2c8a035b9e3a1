import { compareSeverity, type Severity } from '../alert/alert';

const HOUR_MS = 3_600_000;

/** The parameters as `Name=value, …`, without the assumed role (`no parameters` when none). */
export function describeParameters(parameters: Record<string, string>): string {
  const entries = Object.entries(parameters).filter(([name]) => name !== 'AutomationAssumeRole');
  return entries.length > 0 ? entries.map(([name, value]) => `${name}=${value}`).join(', ') : 'no parameters';
}

/** A duration in the largest whole unit: `2d`, `1h`, `15m`, else seconds. */
export function formatDuration(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % HOUR_MS === 0) return `${ms / HOUR_MS}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}

/** The more urgent of two severities. */
export function moreUrgent(a: Severity, b: Severity): Severity {
  return compareSeverity(a, b) <= 0 ? a : b;
}
