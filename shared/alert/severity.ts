import { isSeverity, type Severity } from './alert';

/**
 * The one documented table mapping the severity words users and sources bring onto Klaxon's scale.
 * Keys are lower-cased and stripped of spaces, dashes and underscores before lookup.
 */
export const SEVERITY_WORDS: Readonly<Record<string, Severity>> = {
  critical: 'critical',
  crit: 'critical',
  fatal: 'critical',
  emergency: 'critical',
  p1: 'critical',
  sev1: 'critical',
  sev0: 'critical',
  p0: 'critical',
  error: 'error',
  err: 'error',
  high: 'error',
  major: 'error',
  p2: 'error',
  sev2: 'error',
  warning: 'warning',
  warn: 'warning',
  medium: 'warning',
  moderate: 'warning',
  minor: 'warning',
  p3: 'warning',
  sev3: 'warning',
  info: 'info',
  informational: 'info',
  notice: 'info',
  low: 'info',
  p4: 'info',
  p5: 'info',
  sev4: 'info',
  sev5: 'info',
};

/** The outcome of mapping a word: the severity, and a note when the word was unknown. */
export interface SeverityMapping {
  severity: Severity;
  note?: string;
}

/** Maps a free-form severity word onto the scale, falling back to `fallback` and saying so. */
export function mapSeverityWord(word: string, fallback: Severity): SeverityMapping {
  const key = word
    .trim()
    .toLowerCase()
    .replace(/[\s_-]/g, '');
  if (isSeverity(key)) return { severity: key };
  const mapped = SEVERITY_WORDS[key];
  if (mapped) return { severity: mapped };
  return {
    severity: fallback,
    note: `unknown severity "${word}", used the default "${fallback}"`,
  };
}
