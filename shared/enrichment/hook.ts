import type { KlaxonConfig } from '../config/load';
import { classify } from '../routing/decide';
import { matchRoutes } from '../routing/routes';
import type { AlertDraft } from '../sources/types';

/**
 * The enrichment port: adds AWS context to a normalized alert before it is classified and routed.
 * It never throws and never takes longer than its budget; what it could not get is named in the
 * `enrichment` annotation.
 */
export interface Enricher {
  enrich(draft: AlertDraft): Promise<AlertDraft>;
}

/** What the pipeline hook needs (a subset of PipelineDeps). */
export interface EnrichDeps {
  enricher?: Enricher;
  config: KlaxonConfig;
  observer?: {
    note(level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>): void;
  };
}

/**
 * The pipeline hook: the draft unchanged when no enricher is configured, enrichment is off, the
 * source suppressed the alert, or every route it provisionally takes says `enrichment: false`
 * (provisional: routed on the event's own labels, before tags are read).
 */
export async function enrich(draft: AlertDraft, deps: EnrichDeps): Promise<AlertDraft> {
  const { enricher, config } = deps;
  if (!enricher || !config.enrichment.enabled || draft.suppressedBySource) return draft;
  if (config.enrichment.routeOptOut) {
    const { alert } = classify(draft, config);
    const labels = { ...alert.labels, severity: alert.severity, status: alert.status };
    if (!matchRoutes(config.route, labels).some((route) => route.enrichment)) return draft;
  }
  const enriched = await enricher.enrich(draft);
  const missing = enriched.annotations.enrichment;
  if (missing) {
    deps.observer?.note('warn', 'alert delivered without part of its enrichment', {
      fingerprint: draft.fingerprint,
      enrichment: missing,
    });
  }
  return enriched;
}
