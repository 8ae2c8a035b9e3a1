import { z } from 'zod';
import { labelNameSchema } from '../config/primitives';
import { allRoutes, type CompiledRoute } from '../routing/routes';

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
  promoteTags: z.array(labelNameSchema).default([]),
  /** How long alarm tags are cached across warm invocations (0: not cached). */
  tagCacheSeconds: z.number().int().min(0).max(3600).default(300),
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
