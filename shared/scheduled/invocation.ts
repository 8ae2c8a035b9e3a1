import * as z from '../zod';

/**
 * What a scheduled function needs from its trigger: the EventBridge "Scheduled Event" (identical on
 * Lambda's retries of one invocation, so it names the run) or, invoked by hand, anything else.
 */
const scheduledEventSchema = z.object({
  id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  time: z.optional(z.iso.datetime({ offset: true })),
  account: z.optional(z.string().check(z.regex(/^\d{12}$/))),
  region: z.optional(z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/))),
});

/** One run of a scheduled function. */
export interface ScheduledRun {
  /** The scheduled event's id; absent when invoked by hand. */
  id?: string;
  /** When the run was scheduled (the event's `time`), else when it started. */
  at: Date;
  /** The account, from the event or the function's ARN; absent when neither says. */
  account?: string;
  /** The region, from the event; absent when invoked by hand. */
  region?: string;
  /** False when the input was not a scheduled event (a manual invocation). */
  scheduled: boolean;
}

/** Reads the run from the invocation payload; a manual invocation's payload (often `{}`) is fine. */
export function scheduledRun(event: unknown, now: Date, functionArn?: string): ScheduledRun {
  const parsed = scheduledEventSchema.safeParse(event);
  const data = parsed.success ? parsed.data : {};
  const fromArn = functionArn?.split(':')[4];
  const account = data.account ?? (fromArn && /^\d{12}$/.test(fromArn) ? fromArn : undefined);
  return {
    ...(data.id ? { id: data.id } : {}),
    at: data.time ? new Date(data.time) : now,
    ...(account ? { account } : {}),
    ...(data.region ? { region: data.region } : {}),
    scheduled: Boolean(parsed.success && data.id && data.time),
  };
}
