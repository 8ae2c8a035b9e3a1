import type { EnrichmentInput } from '../config/schema';
import { allRoutes, type CompiledRoute } from '../routing/routes';

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
