import type { z } from 'zod';

/** Parsing helpers every normalizer shares: how a schema failure and an event time are reported. */

/** A zod error as a short reason naming the bad fields (the first three), for an `invalid` result. */
export function zodReason(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

/** An ISO-8601 UTC time from any text `Date.parse` reads (ISO, RFC-1123), else the fallback. */
export function isoTime(text: string | undefined, fallback: string): string {
  const millis = text === undefined ? Number.NaN : Date.parse(text);
  return Number.isNaN(millis) ? fallback : new Date(millis).toISOString();
}
