/**
 * Wall-clock arithmetic in IANA time zones with Intl.DateTimeFormat only (no dependency), correct
 * across daylight-saving changes: a window is matched against the local time the zone shows.
 */

/** Days of the week as written in klaxon.yml, in JavaScript's order (Sunday = 0). */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** True when the runtime knows the IANA zone name. */
export function isTimeZone(name: string): boolean {
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

/** The local calendar fields an instant shows in a zone. */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

/** What the clocks in `timeZone` show at `at` (epoch ms). */
export function localTime(at: number, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(at))) parts[part.type] = part.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS.indexOf((parts.weekday ?? 'Sun').slice(0, 3).toLowerCase() as Weekday),
  };
}

/** The zone's offset from UTC at `at`, in milliseconds (positive east of Greenwich). */
export function zoneOffset(at: number, timeZone: string): number {
  const t = localTime(at, timeZone);
  const asUtc = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  return asUtc - (at - (at % 1000));
}

/**
 * The first instant after `notBefore` at which the zone's clocks show the given wall time. A wall
 * time repeated by a fall-back change maps to its first occurrence still ahead; one skipped by a
 * spring-forward change is moved forward by the length of the gap (as Temporal's "compatible" does).
 */
export function zonedToUtc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  timeZone: string,
  notBefore = Number.NEGATIVE_INFINITY,
): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const before = zoneOffset(wall - 86_400_000, timeZone);
  const after = zoneOffset(wall + 86_400_000, timeZone);
  const candidates = [wall - Math.max(before, after), wall - Math.min(before, after)].filter((candidate) => {
    const shown = localTime(candidate, timeZone);
    return shown.hour === hour && shown.minute === minute && shown.day === day;
  });
  const ahead = candidates.find((candidate) => candidate > notBefore);
  if (ahead !== undefined) return ahead;
  if (candidates.length > 0) return candidates[candidates.length - 1] as number;
  return wall - before;
}
