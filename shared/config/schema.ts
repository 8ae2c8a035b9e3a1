import * as z from '../zod';
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
    .check(z.regex(/^arn:aws(-cn|-us-gov)?:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'an SNS topic ARN')),
  name: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_.-]+$/))),
});

/** The whole klaxon.yml, as written by users (before compilation); detection ids are not checked here. */
export const klaxonConfigSchema = z.strictObject({
  defaults: z.prefault(
    z.strictObject({
      severity: z._default(severitySchema, 'warning'),
      insufficientData: z.prefault(
        z.strictObject({
          notify: z._default(z.boolean(), true),
          severity: z._default(severitySchema, 'warning'),
        }),
        {},
      ),
    }),
    {},
  ),
  intake: z.prefault(
    z.strictObject({
      alarmTopics: z._default(z.array(alarmTopic), []),
    }),
    {},
  ),
  severity: z._default(z.array(z.strictObject({ match: matchSchema, severity: severitySchema })), []),
  runbooks: z._default(
    z.array(z.strictObject({ match: matchSchema, url: z.url({ protocol: /^https?$/ }) })),
    [],
  ),
  delivery: z.prefault(
    z.strictObject({
      /** Told when a delivery is given up on (dead-lettered) or rejected for good. */
      fallbackReceiver: z.optional(z.string()),
      /** Seconds before each durable retry (SQS delays, at most 900 each). */
      retrySchedule: z._default(
        z.array(z.number().check(z.int(), z.gte(0), z.lte(900))).check(z.minLength(1), z.maxLength(20)),
        [60, 300, 900, 900, 900, 900],
      ),
    }),
    {},
  ),
  /** Security detections: which run, severity overrides, allowlists, failed sign-in threshold. */
  security: z.prefault(securityConfigSchema, {}),
  enrichment: z.prefault(enrichmentSchema, {}),
  /** Guardrails shared by every remediation rule (caps, circuit breaker, approval). */
  remediation: z.prefault(remediationSchemas.settings, {}),
  /** Remediation rules: match an alert, name a catalog action, map its parameters from labels. */
  remediations: z._default(remediationSchemas.rules, []),
  receivers: z.record(
    z.string().check(z.regex(/^[A-Za-z0-9_-]+$/, 'receiver names are letters, digits, _ -')),
    receiverSchema,
  ),
  route: routeSchema,
  silences: noiseSchemas.silences,
  maintenanceWindows: noiseSchemas.maintenanceWindows,
  inhibit: noiseSchemas.inhibit,
  flapping: noiseSchemas.flapping,
  decisionRecords: noiseSchemas.decisionRecords,
  /** The scheduled summary of the period (informational events, noisiest alarms…) posted to chat. */
  digest: z.optional(digestSchema),
  /** The dead man's switch: a synthetic alert through the whole pipeline to a webhook, on a schedule. */
  heartbeat: z.optional(heartbeatSchema),
  /** The scheduled `klaxon doctor`, whose findings become alerts. */
  selfCheck: z.optional(selfCheckSchema),
});

/** Checks that need data the functions do not bundle: the CLI and the deploy scripts run them. */
export interface BuildTimeChecks {
  /** The security catalog's detection ids; ids in klaxon.yml outside it are refused. */
  detectionIds?: ReadonlySet<string>;
}

function withDetectionIds(detectionIds: ReadonlySet<string>) {
  return z.extend(klaxonConfigSchema, { security: z.prefault(securityConfigSchemaFor(detectionIds), {}) });
}

const checkedSchemas = new WeakMap<ReadonlySet<string>, ReturnType<typeof withDetectionIds>>();

/** The klaxon.yml schema with the given build-time checks: same keys in the same order, same messages. */
export function klaxonConfigSchemaFor(
  checks: BuildTimeChecks,
): z.ZodMiniType<KlaxonConfigInput, z.input<typeof klaxonConfigSchema>> {
  const ids = checks.detectionIds;
  if (!ids) return klaxonConfigSchema;
  const schema = checkedSchemas.get(ids) ?? withDetectionIds(ids);
  checkedSchemas.set(ids, schema);
  return schema;
}

/** klaxon.yml after schema defaults are applied. */
export type KlaxonConfigInput = z.infer<typeof klaxonConfigSchema>;
/** One receiver's configuration: one of the registered types' (shared/receivers/registry.ts). */
export type { ReceiverConfig } from '../receivers/registry';
