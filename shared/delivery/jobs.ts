import { z } from 'zod';
import type { Alert } from '../alert/alert';

const alertSchema = z
  .looseObject({
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
  })
  .transform((alert) => alert as unknown as Alert);

/** A delivery handed to the durable retry queue: one alert, or a group of them, for one receiver. */
export const deliveryJobSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('deliver'),
    /** The claim key (transition|receiver, or group key|receiver) the delivery belongs to. */
    key: z.string(),
    receiver: z.string(),
    alerts: z.array(alertSchema).min(1),
    group: z
      .strictObject({
        route: z.string(),
        labels: z.record(z.string(), z.string()),
        status: z.enum(['firing', 'resolved']),
      })
      .optional(),
    /** Durable attempts made so far (0 when it was only paced). */
    attempt: z.number().int().min(0),
    lastError: z.string().optional(),
    /** How many times an operator moved it back from the dead-letter queue. */
    redrive: z.number().int().min(0).optional(),
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
    dueAt: z.number().int(),
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
    dueAt: z.number().int(),
    /** repeat: the transition the repeat belongs to, and how many repeats went out before. */
    transitionId: z.string().optional(),
    count: z.number().int().min(0).optional(),
  }),
]);

/** A message on the retry queue. */
export type DeliveryJob = z.infer<typeof deliveryJobSchema>;

/** Drops what a queued alert does not need (the raw event) so a job stays far under SQS's 256 KB. */
export function queuedAlert(alert: Alert): Alert {
  return { ...alert, raw: undefined };
}

/** Parses a queue message body; throws a ZodError naming the bad field. */
export function parseDeliveryJob(body: string): DeliveryJob {
  return deliveryJobSchema.parse(JSON.parse(body));
}
