import * as z from '../zod';
import type { ConfigProblem } from '../errors';
import { findReceiverDescriptor, typesPostingPrepared } from '../receivers/lookup';

/**
 * The `digest:`, `heartbeat:` and `selfCheck:` sections of klaxon.yml: Klaxon's scheduled
 * functions. deploy/schedules.cjs reads the same keys to give each function its EventBridge
 * schedule (or none when the section is absent or disabled).
 */

/** An EventBridge Scheduler/rule expression: `rate(5 minutes)` or `cron(0 8 * * ? *)` (UTC). */
export const scheduleExpressionSchema = z
  .string()
  .check(
    z.regex(
      /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\((\S+ ){5}\S+\))$/,
      'an EventBridge schedule expression: rate(N minutes|hours|days) or cron(min hour day month weekday year), in UTC',
    ),
  );

/** The longest `digest.periodHours`: a week. */
const MAX_PERIOD_HOURS = 168;

/** The daily (or otherwise scheduled) summary posted to chat. */
export const digestSchema = z.strictObject({
  enabled: z._default(z.boolean(), true),
  /** Where the digest goes (a slack, webhook or console receiver). */
  receiver: z.string(),
  /** When it is posted; default every day at 08:00 UTC. */
  schedule: z._default(scheduleExpressionSchema, 'cron(0 8 * * ? *)'),
  /** The period summarised, ending when the digest runs. */
  periodHours: z._default(z.number().check(z.int(), z.gte(1), z.lte(MAX_PERIOD_HOURS)), 24),
  /** An alarm that went back to OK within this many minutes is listed as a tuning candidate. */
  quickResolveMinutes: z._default(z.number().check(z.int(), z.gte(1), z.lte(120)), 10),
  /** How many entries each list shows (noisiest alarms, quick resolves, informational events). */
  top: z._default(z.number().check(z.int(), z.gte(1), z.lte(50)), 10),
});

/** The dead man's switch: a synthetic alert sent through the whole pipeline on a schedule. */
export const heartbeatSchema = z.strictObject({
  enabled: z._default(z.boolean(), true),
  /** A webhook receiver pointing at a dead man's switch service (healthchecks.io, Cronitor…). */
  receiver: z.string(),
  /** How often; the switch should expect a ping at this rate (plus some grace). */
  schedule: z._default(scheduleExpressionSchema, 'rate(5 minutes)'),
});

/** The scheduled `klaxon doctor`: its findings become alerts routed like any other. */
export const selfCheckSchema = z.strictObject({
  enabled: z._default(z.boolean(), true),
  schedule: z._default(scheduleExpressionSchema, 'cron(0 7 * * ? *)'),
  /** Findings at or above this level become alerts (`warning`: warnings and errors). */
  minimum: z._default(z.enum(['error', 'warning']), 'warning'),
});

/** The scheduled sections as parsed (defaults applied); absent sections are undefined. */
export interface ScheduledInput {
  digest?: z.infer<typeof digestSchema>;
  heartbeat?: z.infer<typeof heartbeatSchema>;
  selfCheck?: z.infer<typeof selfCheckSchema>;
  decisionRecords: { enabled: boolean; ttlDays: number };
}

/** The digest settings after validation. */
export type DigestConfig = z.infer<typeof digestSchema>;
/** The heartbeat settings after validation. */
export type HeartbeatConfig = z.infer<typeof heartbeatSchema>;
/** The self-check settings after validation. */
export type SelfCheckConfig = z.infer<typeof selfCheckSchema>;

/** What the scheduled sections' cross-checks found: problems refuse the configuration, warnings do not. */
export interface ScheduledCheck {
  problems: ConfigProblem[];
  warnings: ConfigProblem[];
}

const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/**
 * How many hours apart a schedule expression fires, when that is plain: `rate(N minutes|hours|days)`,
 * a daily `cron(M H * * ? *)` (24) or a weekly `cron(M H ? * DAY *)` (168); undefined otherwise.
 */
export function scheduleIntervalHours(expression: string): number | undefined {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2] ?? '';
    if (unit.startsWith('minute')) return n / 60;
    return unit.startsWith('hour') ? n : n * 24;
  }
  const cron = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expression);
  if (!cron) return undefined;
  const [, minute = '', hour = '', day = '', month = '', weekday = '', year = ''] = cron;
  if (!/^\d{1,2}$/.test(minute) || !/^\d{1,2}$/.test(hour) || month !== '*' || year !== '*') return undefined;
  if ((day === '*' && weekday === '?') || (day === '?' && weekday === '*')) return 24;
  const oneDay = /^[1-7]$/.test(weekday) || DAYS.includes(weekday.toUpperCase());
  if (day === '?' && oneDay) return 168;
  return undefined;
}

function hours(n: number): string {
  return `${Math.round(n * 100) / 100} h`;
}

/** Warnings about a digest that misses or repeats part of the time, or outlives its records. */
function digestWarnings(
  digest: DigestConfig,
  decisionRecords: ScheduledInput['decisionRecords'],
): ConfigProblem[] {
  const warnings: ConfigProblem[] = [];
  const interval = scheduleIntervalHours(digest.schedule);
  const period = digest.periodHours;
  if (interval !== undefined && interval > period) {
    warnings.push({
      path: 'digest.periodHours',
      message:
        `${digest.schedule} runs every ${hours(interval)} but each digest covers ${hours(period)}: ` +
        `${hours(interval - period)} between two digests are in neither; ` +
        (interval <= MAX_PERIOD_HOURS
          ? `set periodHours: ${interval} to cover it all`
          : `run it at least every ${MAX_PERIOD_HOURS} h (the longest period)`),
    });
  } else if (interval !== undefined && interval < period) {
    warnings.push({
      path: 'digest.periodHours',
      message:
        `${digest.schedule} runs every ${hours(interval)} but each digest covers ${hours(period)}: ` +
        `each repeats the last ${hours(period - interval)} of the one before (counted twice)` +
        (Number.isInteger(interval) ? `; set periodHours: ${interval} for back-to-back periods` : ''),
    });
  }
  if (decisionRecords.enabled && decisionRecords.ttlDays * 24 < period) {
    warnings.push({
      path: 'decisionRecords.ttlDays',
      message:
        `decision records expire after ${decisionRecords.ttlDays * 24} h, before the digest reads its ` +
        `${hours(period)}: the start of each period is missing; set ttlDays: ${Math.ceil(period / 24)} or more`,
    });
  }
  return warnings;
}

/** `a, b or c`. */
function orList(words: readonly string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

/** The receivers as the cross-checks see them: only each one's type matters. */
export type ReceiverTypes = Readonly<Record<string, { readonly type: string }>>;

/** Cross-checks the scheduled sections against the receivers and decision records. */
export function scheduledProblems(input: ScheduledInput, receivers: ReceiverTypes): ScheduledCheck {
  const problems: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  const defined = Object.keys(receivers).join(', ') || 'none';
  const digest = input.digest;
  if (digest?.enabled) {
    const receiver = receivers[digest.receiver];
    if (!receiver) {
      problems.push({
        path: 'digest.receiver',
        message: `unknown receiver "${digest.receiver}" (defined: ${defined})`,
      });
    } else if (!findReceiverDescriptor(receiver.type)?.prepared) {
      problems.push({
        path: 'digest.receiver',
        message: `a digest is a chat message: use a ${orList(typesPostingPrepared())} receiver, not ${receiver.type}`,
      });
    }
    if (!input.decisionRecords.enabled) {
      problems.push({
        path: 'digest',
        message:
          'the digest is built from decision records: set decisionRecords.enabled: true or disable the digest',
      });
    }
    warnings.push(...digestWarnings(digest, input.decisionRecords));
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
  return { problems, warnings };
}
