import { z } from 'zod';
import type { ConfigProblem } from '../errors';
import type { ReceiverConfig } from './schema';

/**
 * The `digest:`, `heartbeat:` and `selfCheck:` sections of klaxon.yml: Klaxon's scheduled
 * functions. deploy/schedules.cjs reads the same keys to give each function its EventBridge
 * schedule (or none when the section is absent or disabled).
 */

/** An EventBridge Scheduler/rule expression: `rate(5 minutes)` or `cron(0 8 * * ? *)` (UTC). */
export const scheduleExpressionSchema = z
  .string()
  .regex(
    /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\((\S+ ){5}\S+\))$/,
    'an EventBridge schedule expression: rate(N minutes|hours|days) or cron(min hour day month weekday year), in UTC',
  );

/** The daily (or otherwise scheduled) summary posted to chat. */
export const digestSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Where the digest goes (a slack, webhook or console receiver). */
  receiver: z.string(),
  /** When it is posted; default every day at 08:00 UTC. */
  schedule: scheduleExpressionSchema.default('cron(0 8 * * ? *)'),
  /** The period summarised, ending when the digest runs. */
  periodHours: z.number().int().min(1).max(168).default(24),
  /** An alarm that went back to OK within this many minutes is listed as a tuning candidate. */
  quickResolveMinutes: z.number().int().min(1).max(120).default(10),
  /** How many entries each list shows (noisiest alarms, quick resolves, informational events). */
  top: z.number().int().min(1).max(50).default(10),
});

/** The dead man's switch: a synthetic alert sent through the whole pipeline on a schedule. */
export const heartbeatSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** A webhook receiver pointing at a dead man's switch service (healthchecks.io, Cronitor…). */
  receiver: z.string(),
  /** How often; the switch should expect a ping at this rate (plus some grace). */
  schedule: scheduleExpressionSchema.default('rate(5 minutes)'),
});

/** The scheduled `klaxon doctor`: its findings become alerts routed like any other. */
export const selfCheckSchema = z.strictObject({
  enabled: z.boolean().default(true),
  schedule: scheduleExpressionSchema.default('cron(0 7 * * ? *)'),
  /** Findings at or above this level become alerts (`warning`: warnings and errors). */
  minimum: z.enum(['error', 'warning']).default('warning'),
});

/** The scheduled sections as parsed (defaults applied); absent sections are undefined. */
export interface ScheduledInput {
  digest?: z.infer<typeof digestSchema>;
  heartbeat?: z.infer<typeof heartbeatSchema>;
  selfCheck?: z.infer<typeof selfCheckSchema>;
  decisionRecords: { enabled: boolean };
}

/** The digest settings after validation. */
export type DigestConfig = z.infer<typeof digestSchema>;
/** The heartbeat settings after validation. */
export type HeartbeatConfig = z.infer<typeof heartbeatSchema>;
/** The self-check settings after validation. */
export type SelfCheckConfig = z.infer<typeof selfCheckSchema>;

/** Cross-checks the scheduled sections against the receivers and decision records. */
export function scheduledProblems(
  input: ScheduledInput,
  receivers: Readonly<Record<string, ReceiverConfig>>,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const defined = Object.keys(receivers).join(', ') || 'none';
  const digest = input.digest;
  if (digest?.enabled) {
    const receiver = receivers[digest.receiver];
    if (!receiver) {
      problems.push({
        path: 'digest.receiver',
        message: `unknown receiver "${digest.receiver}" (defined: ${defined})`,
      });
    } else if (!['slack', 'webhook', 'console'].includes(receiver.type)) {
      problems.push({
        path: 'digest.receiver',
        message: `a digest is a chat message: use a slack, webhook or console receiver, not ${receiver.type}`,
      });
    }
    if (!input.decisionRecords.enabled) {
      problems.push({
        path: 'digest',
        message:
          'the digest is built from decision records: set decisionRecords.enabled: true or disable the digest',
      });
    }
  }
  const heartbeat = input.heartbeat;
  if (heartbeat?.enabled) {
    const receiver = receivers[heartbeat.receiver];
    if (!receiver) {
      problems.push({
        path: 'heartbeat.receiver',
        message: `unknown receiver "${heartbeat.receiver}" (defined: ${defined})`,
      });
    } else if (receiver.type !== 'webhook') {
      problems.push({
        path: 'heartbeat.receiver',
        message:
          `a heartbeat needs a webhook receiver pointing at a dead man's switch (healthchecks.io, Cronitor, ` +
          `Dead Man's Snitch…), not ${receiver.type}; to be paged when it stops, connect that service to PagerDuty`,
      });
    }
  }
  return problems;
}
