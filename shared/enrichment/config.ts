import * as z from '../zod';
import { labelNameSchema } from '../config/primitives';
import { allRoutes, type CompiledRoute } from '../routing/routes';

/** Enrichment with live AWS context: alarm tags, definition, datapoints, related signals, links. */
export const enrichmentSchema = z.strictObject({
  /** Off: no AWS call and no added link (the local replay also needs --enrich or AWS_ENDPOINT_URL). */
  enabled: z._default(z.boolean(), true),
  /** Total time enrichment may add to an alert, all calls in parallel. */
  budgetMs: z._default(z.number().check(z.int(), z.gte(50), z.lte(5000)), 800),
  /** Each AWS call's own timeout (also cut to what is left of the budget). */
  callTimeoutMs: z._default(z.number().check(z.int(), z.gte(50), z.lte(5000)), 600),
  /** Window of recent datapoints (and of the logs and traces links). */
  lookbackMinutes: z._default(z.number().check(z.int(), z.gte(5), z.lte(360)), 30),
  tags: z._default(z.boolean(), true),
  definition: z._default(z.boolean(), true),
  datapoints: z._default(z.boolean(), true),
  related: z._default(z.boolean(), true),
  children: z._default(z.boolean(), true),
  links: z._default(z.boolean(), true),
  /** Alarm tags promoted to labels besides team, service, env, severity and runbook. */
  promoteTags: z._default(z.array(labelNameSchema), []),
  /** How long alarm tags are cached across warm invocations (0: not cached). */
  tagCacheSeconds: z._default(z.number().check(z.int(), z.gte(0), z.lte(3600)), 300),
});

/** The enrichment section after defaults. */
export type EnrichmentInput = z.infer<typeof enrichmentSchema>;

/** Alarm tags always promoted to labels (severity and runbook also act as the event's own tags do). */
export const DEFAULT_PROMOTED_TAGS = ['team', 'service', 'env', 'severity', 'runbook'] as const;

/** The enrichment section, compiled. */
export interface EnrichmentConfig extends EnrichmentInput {
  /** The default tags plus `promoteTags`, without repeats. */
  promoteTags: string[];
  /** True when some route says `enrichment: false` (so a provisional route is worth computing). */
  routeOptOut: boolean;
}

/** Compiles the enrichment section of klaxon.yml against the compiled route tree. */
export function compileEnrichment(input: EnrichmentInput, tree: CompiledRoute): EnrichmentConfig {
  return {
    ...input,
    promoteTags: [...new Set([...DEFAULT_PROMOTED_TAGS, ...input.promoteTags])],
    routeOptOut: allRoutes(tree).some((route) => !route.enrichment),
  };
}
