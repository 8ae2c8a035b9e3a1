import type { CompiledWindow } from './config';
import { localTime, zonedToUtc } from './timezone';

/** One open occurrence of a maintenance window: when it ends (epoch ms). */
export interface WindowOccurrence {
  window: CompiledWindow;
  end: number;
}

function addDays(year: number, month: number, day: number, days: number): [number, number, number] {
  const date = new Date(Date.UTC(year, month - 1, day + days));
  return [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
}

/**
 * The occurrence of `window` open at `now`, if any. Periods are wall-clock times in the window's
 * zone: a period whose end is not after its start runs past midnight (its day is the start day);
 * `24:00` ends at midnight. On a spring-forward day a period loses the skipped hour, on a
 * fall-back day it gains the repeated one, exactly as the clocks on the wall do.
 */
export function openOccurrence(window: CompiledWindow, now: number): WindowOccurrence | undefined {
  const local = localTime(now, window.timeZone);
  const minute = local.hour * 60 + local.minute;
  const yesterday = (local.weekday + 6) % 7;
  for (const period of window.schedule) {
    const days = new Set(
      period.days.map((d) => ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].indexOf(d)),
    );
    const overnight = period.end <= period.start;
    let endDayOffset: number | undefined;
    if (!overnight) {
      if (days.has(local.weekday) && minute >= period.start && minute < period.end)
        endDayOffset = period.end === 1440 ? 1 : 0;
    } else if (days.has(local.weekday) && minute >= period.start) {
      endDayOffset = 1;
    } else if (days.has(yesterday) && minute < period.end) {
      endDayOffset = 0;
    }
    if (endDayOffset === undefined) continue;
    const endMinute = period.end % 1440;
    const [y, m, d] = addDays(local.year, local.month, local.day, endDayOffset);
    const end = zonedToUtc(y, m, d, Math.floor(endMinute / 60), endMinute % 60, window.timeZone, now);
    return { window, end: Math.max(end, now + 60_000) };
  }
  return undefined;
}
