import { z } from 'zod';
import { SEVERITIES } from '../alert/alert';
import { remediationSchemas } from '../remediation/config';
import { securityConfigSchema } from '../security/allowlist';
import { noiseSchemas } from '../noise/config';
import { digestSchema, heartbeatSchema, selfCheckSchema } from './scheduled';
import { receiverConfigSchema } from '../receivers/lookup';

const severity = z.enum(SEVERITIES);

const regexSource = z.string().superRefine((source, ctx) => {
  try {
    new RegExp(source);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(error as Error).message}` });
  }
});

const scalarMatcher = z.union([
  z.string().min(1, 'must not be empty'),
  z.strictObject({ regex: regexSource }),
]);

/** One label condition: exact string, glob (`*`, `?`), `{regex}`, or a list of those (any may match). */
export const matcherValueSchema = z.union([
  scalarMatcher,
  z.array(scalarMatcher).min(1, 'must list at least one value'),
]);

const labelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.:-]*$/, 'label names are letters, digits, _ . : -');

/** A set of label conditions that must all hold. */
export const matchSchema = z.record(labelName, matcherValueSchema);

/** A reference to a secret: an SSM parameter name under the deployment's prefix, or an environment variable. */
export const secretRefSchema = z.union([
  z.strictObject({
    ssm: z
      .string()
      .regex(
        /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/,
        'an SSM name relative to the deployment prefix (no leading "/", letters, digits, _ . - and /)',
      ),
  }),
  z.strictObject({
    env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name (A-Z, 0-9, _)'),
  }),
]);

/** One notification destination, by type (each type's schema is in shared/receivers/<type>/). */
export const receiverSchema = receiverConfigSchema({ secretRefSchema });

/** Storm grouping of a route: alerts sharing these labels within the window go out as one message. */
export const groupSchema = z.strictObject({
  by: z.array(z.string().min(1)).min(1, 'name at least one label to group by'),
  windowSeconds: z.number().int().min(1).max(300).default(10),
});

/** A node of the route tree, as written in klaxon.yml. */
export interface RouteInput {
  name?: string;
  match?: Record<string, z.infer<typeof matcherValueSchema>>;
  receiver?: string;
  continue?: boolean;
  group?: z.infer<typeof groupSchema>;
  /** `false` turns AWS-context enrichment off for alerts routed here (inherited by children). */
  enrichment?: boolean;
  routes?: RouteInput[];
  /** Re-notify while an alert routed here keeps firing (shared/noise), e.g. `4h`; inherited. */
  repeatInterval?: string;
  /** `false`: resolves are not sent to this route's receiver (inherited; default true). */
  sendResolved?: boolean;
}

const routeSchema: z.ZodType<RouteInput> = z.lazy(() =>
  z.strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, 'route names are letters, digits, _ . -')
      .optional(),
    match: matchSchema.optional(),
    receiver: z.string().optional(),
    continue: z.boolean().optional(),
    group: groupSchema.optional(),
    enrichment: z.boolean().optional(),
    routes: z.array(routeSchema).optional(),
    repeatInterval: z.string().optional(),
    sendResolved: z.boolean().optional(),
  }),
);

const alarmTopic = z.strictObject({
  arn: z
    .string()
    .regex(/^arn:aws(-cn|-us-gov)?:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'an SNS topic ARN'),
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/)
    .optional(),
});

/** Enrichment with live AWS context: alarm tags, definition, datapoints, related signals, links. */
export const enrichmentSchema = z.strictObject({
  /** Off: no AWS call and no added link (the local replay also needs --enrich or AWS_ENDPOINT_URL). */
  enabled: z.boolean().default(true),
  /** Total time enrichment may add to an alert, all calls in parallel. */
  budgetMs: z.number().int().min(50).max(5000).default(800),
  /** Each AWS call's own timeout (also cut to what is left of the budget). */
  callTimeoutMs: z.number().int().min(50).max(5000).default(600),
  /** Window of recent datapoints (and of the logs and traces links). */
  lookbackMinutes: z.number().int().min(5).max(360).default(30),
  tags: z.boolean().default(true),
  definition: z.boolean().default(true),
  datapoints: z.boolean().default(true),
  related: z.boolean().default(true),
  children: z.boolean().default(true),
  links: z.boolean().default(true),
  /** Alarm tags promoted to labels besides team, service, env, severity and runbook. */
  promoteTags: z.array(labelName).default([]),
  /** How long alarm tags are cached across warm invocations (0: not cached). */
  tagCacheSeconds: z.number().int().min(0).max(3600).default(300),
});

/** The `remediation:` guardrails and `remediations:` rules (shared/remediation/config.ts). */
const remediation = remediationSchemas({ matchSchema, secretRefSchema });

/** Silences, maintenance windows, inhibition, flapping, decision records (shared/noise/config.ts). */
const noise = noiseSchemas({ matchSchema });

/** The whole klaxon.yml, as written by users (before compilation). */
export const klaxonConfigSchema = z.strictObject({
  defaults: z
    .strictObject({
      severity: severity.default('warning'),
      insufficientData: z
        .strictObject({
          notify: z.boolean().default(true),
          severity: severity.default('warning'),
        })
        .prefault({}),
    })
    .prefault({}),
  intake: z
    .strictObject({
      alarmTopics: z.array(alarmTopic).default([]),
    })
    .prefault({}),
  severity: z.array(z.strictObject({ match: matchSchema, severity })).default([]),
  runbooks: z.array(z.strictObject({ match: matchSchema, url: z.url({ protocol: /^https?$/ }) })).default([]),
  delivery: z
    .strictObject({
      /** Told when a delivery is given up on (dead-lettered) or rejected for good. */
      fallbackReceiver: z.string().optional(),
      /** Seconds before each durable retry (SQS delays, at most 900 each). */
      retrySchedule: z
        .array(z.number().int().min(0).max(900))
        .min(1)
        .max(20)
        .default([60, 300, 900, 900, 900, 900]),
    })
    .prefault({}),
  /** Security detections: which run, severity overrides, allowlists, failed sign-in threshold. */
  security: securityConfigSchema.prefault({}),
  enrichment: enrichmentSchema.prefault({}),
  /** Guardrails shared by every remediation rule (caps, circuit breaker, approval). */
  remediation: remediation.settings.prefault({}),
  /** Remediation rules: match an alert, name a catalog action, map its parameters from labels. */
  remediations: remediation.rules.default([]),
  receivers: z.record(
    z.string().regex(/^[A-Za-z0-9_-]+$/, 'receiver names are letters, digits, _ -'),
    receiverSchema,
  ),
  route: routeSchema,
  silences: noise.silences,
  maintenanceWindows: noise.maintenanceWindows,
  inhibit: noise.inhibit,
  flapping: noise.flapping,
  decisionRecords: noise.decisionRecords,
  /** The scheduled summary of the period (informational events, noisiest alarms…) posted to chat. */
  digest: digestSchema.optional(),
  /** The dead man's switch: a synthetic alert through the whole pipeline to a webhook, on a schedule. */
  heartbeat: heartbeatSchema.optional(),
  /** The scheduled `klaxon doctor`, whose findings become alerts. */
  selfCheck: selfCheckSchema.optional(),
});

/** klaxon.yml after schema defaults are applied. */
export type KlaxonConfigInput = z.infer<typeof klaxonConfigSchema>;
/** One receiver's configuration: one of the registered types' (shared/receivers/registry.ts). */
export type { ReceiverConfig } from '../receivers/registry';
/** A secret reference from klaxon.yml. */
export type SecretRef = z.infer<typeof secretRefSchema>;
/** The enrichment section after defaults. */
export type EnrichmentInput = z.infer<typeof enrichmentSchema>;
/** A match block from klaxon.yml. */
export type MatchInput = z.infer<typeof matchSchema>;
