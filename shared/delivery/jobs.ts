import * as z from '../zod';
import type { Alert } from '../alert/alert';
import { cutToBytes, utf8Bytes } from '../alert/caps';
import { fitAlert, MEMBER_MAX_BYTES } from '../alert/fit';

const alertSchema = z.pipe(
  z.looseObject({
    labels: z.record(z.string(), z.string()),
    annotations: z.record(z.string(), z.string()),
    severity: z.enum(['critical', 'error', 'warning', 'info']),
    status: z.enum(['firing', 'resolved']),
    fingerprint: z.string(),
    transitionId: z.string(),
    startsAt: z.string(),
    observedAt: z.string(),
    path: z.enum(['sns', 'eventbridge', 'alarm-action']),
    links: z.array(z.object({ text: z.string(), url: z.string() })),
  }),
  z.transform((alert) => alert as unknown as Alert),
);

/** A delivery handed to the durable retry queue: one alert, or a group of them, for one receiver. */
export const deliveryJobSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('deliver'),
    /** The claim key (transition|receiver, or group key|receiver) the delivery belongs to. */
    key: z.string(),
    receiver: z.string(),
    alerts: z.array(alertSchema).check(z.minLength(1)),
    group: z.optional(
      z.strictObject({
        route: z.string(),
        labels: z.record(z.string(), z.string()),
        status: z.enum(['firing', 'resolved']),
        /** How many alerts the group holds; `alerts` lists the first of them. */
        total: z.optional(z.number().check(z.int(), z.gte(1))),
      }),
    ),
    /** Durable attempts made so far (0 when it was only paced). */
    attempt: z.number().check(z.int(), z.gte(0)),
    /** How many times it was handed to the queue (each hand-off is claimed apart). */
    hop: z.optional(z.number().check(z.int(), z.gte(0))),
    /** A delivery whose invocation may have stopped: it runs under the transition's own claim. */
    resume: z.optional(z.literal(true)),
    /** The grouping a resumed delivery joins again (its join is deduplicated). */
    regroup: z.optional(
      z.strictObject({
        route: z.string(),
        by: z.array(z.string()),
        windowSeconds: z.number().check(z.positive()),
      }),
    ),
    lastError: z.optional(z.string()),
    /** How many times an operator moved it back from the dead-letter queue. */
    redrive: z.optional(z.number().check(z.int(), z.gte(0))),
  }),
  z.strictObject({
    kind: z.literal('flush-group'),
    groupKey: z.string(),
    receiver: z.string(),
    route: z.string(),
    labels: z.record(z.string(), z.string()),
    status: z.enum(['firing', 'resolved']),
  }),
  z.strictObject({
    /** After a successful remediation: escalate unless the alert resolved meanwhile (shared/remediation). */
    kind: z.literal('verify-remediation'),
    /** The alert's first receiver, for logs; the escalation goes to the receivers recorded with the remediation. */
    receiver: z.string(),
    /** The remediation's token (its audit record in the state table). */
    token: z.string(),
    /** When to check (epoch ms); a job that arrives early is delayed again (SQS delays stop at 15 minutes). */
    dueAt: z.number().check(z.int()),
  }),
  z.strictObject({
    /** Noise control (shared/noise/jobs.ts): a mute ended, a repeat is due, or a flapping alarm may have settled. */
    kind: z.literal('noise'),
    action: z.enum(['unmute', 'repeat', 'flap-settle']),
    /** unmute: the mute's key; repeat and flap-settle: the alert's fingerprint. */
    key: z.string(),
    /** A receiver name for logs (the receivers come from the alert's recorded state). */
    receiver: z.string(),
    /** When to act (epoch ms); a job that arrives early is delayed again (SQS delays stop at 15 minutes). */
    dueAt: z.number().check(z.int()),
    /** repeat: the transition the repeat belongs to, and how many repeats went out before. */
    transitionId: z.optional(z.string()),
    count: z.optional(z.number().check(z.int(), z.gte(0))),
  }),
]);

/** A message on the retry queue. */
export type DeliveryJob = z.infer<typeof deliveryJobSchema>;

/** Drops what a queued alert does not need (the raw event) so a job stays far under SQS's 256 KB. */
export function queuedAlert(alert: Alert): Alert {
  return { ...alert, raw: undefined };
}

/** SQS takes 262,144 bytes per message, attributes included: a job body stays under this. */
export const JOB_MAX_BYTES = 250_000;

/**
 * The job as it fits one SQS message: each alert within MEMBER_MAX_BYTES, and a group's list cut
 * from the end (its `total` still counts every alert) until the body is within JOB_MAX_BYTES.
 */
export function fitJob<J extends DeliveryJob>(job: J): J {
  if (job.kind !== 'deliver') return job;
  const alerts = job.alerts.map((alert) => fitAlert(alert, MEMBER_MAX_BYTES));
  const lastError = job.lastError === undefined ? undefined : cutToBytes(job.lastError, 2048);
  const total = job.group ? (job.group.total ?? job.alerts.length) : undefined;
  const base = utf8Bytes(
    JSON.stringify({ ...job, lastError, alerts: [], group: job.group && { ...job.group, total } }),
  );
  let bytes = base;
  let kept = 0;
  for (const alert of alerts) {
    const next = utf8Bytes(JSON.stringify(alert)) + 1;
    if (kept > 0 && bytes + next > JOB_MAX_BYTES) break;
    bytes += next;
    kept += 1;
  }
  return {
    ...job,
    ...(lastError === undefined ? {} : { lastError }),
    alerts: alerts.slice(0, kept),
    ...(job.group ? { group: { ...job.group, total } } : {}),
  };
}

/** Parses a queue message body; throws a ZodError naming the bad field. */
export function parseDeliveryJob(body: string): DeliveryJob {
  return deliveryJobSchema.parse(JSON.parse(body));
}
