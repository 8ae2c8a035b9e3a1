import { z } from 'zod';
import { enrichmentSchema } from '../enrichment/config';
import { noiseSchemas } from '../noise/config';
import { remediationSchemas } from '../remediation/config';
import { routeSchema } from '../routing/config';
import { securityConfigSchema, securityConfigSchemaFor } from '../security/allowlist';
import { matchSchema, secretRefSchema, severitySchema } from './primitives';
import { digestSchema, heartbeatSchema, selfCheckSchema } from './scheduled';
import { receiverConfigSchema } from '../receivers/lookup';

/**
 * The root schema of klaxon.yml: it composes the sections each feature owns (routing, enrichment,
 * security, remediation, noise, scheduled functions) over the shared primitives of ./primitives.
 */

export type { MatchInput, SecretRef } from './primitives';

/** One notification destination, by type (each type's schema is in shared/receivers/<type>/). */
export const receiverSchema = receiverConfigSchema({ secretRefSchema });

const alarmTopic = z.strictObject({
  arn: z
    .string()
    .regex(/^arn:aws(-cn|-us-gov)?:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'an SNS topic ARN'),
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/)
    .optional(),
});

const topicArn = z
  .string()
  .check(z.regex(/^arn:aws(-cn|-us-gov)?:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'an SNS topic ARN'));

/**
 * A topic the operator allows to carry EventBridge events inside SNS messages (opt-in): events from
 * it are accepted only when their `account` is listed, are marked in their provenance, and never
 * start a remediation (docs/threat-model.md).
 */
const eventBridgeOverSnsTopic = z.strictObject({
  topicArn,
  /** Accounts whose events this topic may carry (the event's own `account` field). */
  accounts: z
    .array(z.string().check(z.regex(/^\d{12}$/, 'a 12-digit account id')))
    .check(z.minLength(1, 'list at least one account whose events this topic may carry')),
});

/** The whole klaxon.yml, as written by users (before compilation); detection ids are not checked here. */
export const klaxonConfigSchema = z.strictObject({
  defaults: z
    .strictObject({
      severity: severitySchema.default('warning'),
      insufficientData: z
        .strictObject({
          notify: z.boolean().default(true),
          severity: severitySchema.default('warning'),
        })
        .prefault({}),
    })
    .prefault({}),
  intake: z
    .strictObject({
      alarmTopics: z.array(alarmTopic).default([]),
      /** Topics that may carry EventBridge events inside SNS messages; none by default. */
      eventBridgeOverSns: z._default(z.array(eventBridgeOverSnsTopic), []),
    })
    .prefault({}),
  severity: z.array(z.strictObject({ match: matchSchema, severity: severitySchema })).default([]),
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
  remediation: remediationSchemas.settings.prefault({}),
  /** Remediation rules: match an alert, name a catalog action, map its parameters from labels. */
  remediations: remediationSchemas.rules.default([]),
  receivers: z.record(
    z.string().regex(/^[A-Za-z0-9_-]+$/, 'receiver names are letters, digits, _ -'),
    receiverSchema,
  ),
  route: routeSchema,
  silences: noiseSchemas.silences,
  maintenanceWindows: noiseSchemas.maintenanceWindows,
  inhibit: noiseSchemas.inhibit,
  flapping: noiseSchemas.flapping,
  decisionRecords: noiseSchemas.decisionRecords,
  /** The scheduled summary of the period (informational events, noisiest alarms…) posted to chat. */
  digest: digestSchema.optional(),
  /** The dead man's switch: a synthetic alert through the whole pipeline to a webhook, on a schedule. */
  heartbeat: heartbeatSchema.optional(),
  /** The scheduled `klaxon doctor`, whose findings become alerts. */
  selfCheck: selfCheckSchema.optional(),
});

/** Checks that need data the functions do not bundle: the CLI and the deploy scripts run them. */
export interface BuildTimeChecks {
  /** The security catalog's detection ids; ids in klaxon.yml outside it are refused. */
  detectionIds?: ReadonlySet<string>;
  /** The ids of the catalog's threshold detections (`security.detections.thresholds` keys). */
  thresholdDetectionIds?: ReadonlySet<string>;
}

function withDetectionIds(detectionIds: ReadonlySet<string>, thresholdIds?: ReadonlySet<string>) {
  return klaxonConfigSchema.extend({
    security: securityConfigSchemaFor(detectionIds, thresholdIds).prefault({}),
  });
}

const checkedSchemas = new WeakMap<ReadonlySet<string>, ReturnType<typeof withDetectionIds>>();

/** The klaxon.yml schema with the given build-time checks: same keys in the same order, same messages. */
export function klaxonConfigSchemaFor(
  checks: BuildTimeChecks,
): z.ZodType<KlaxonConfigInput, z.input<typeof klaxonConfigSchema>> {
  const ids = checks.detectionIds;
  if (!ids) return klaxonConfigSchema;
  const schema = checkedSchemas.get(ids) ?? withDetectionIds(ids, checks.thresholdDetectionIds);
  checkedSchemas.set(ids, schema);
  return schema;
}

/** klaxon.yml after schema defaults are applied. */
export type KlaxonConfigInput = z.infer<typeof klaxonConfigSchema>;
/** One receiver's configuration: one of the registered types' (shared/receivers/registry.ts). */
export type { ReceiverConfig } from '../receivers/registry';
