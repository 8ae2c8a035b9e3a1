import { informationalOf } from '../alert/alert';
import type { MetricDimensions } from '../observability/metrics';
import type { Decision } from '../routing/decide';
import { type AlertStage, needed } from './stage';

/** Maps a suppression to its metric dimension value (a closed set, whatever the reason text says). */
export function suppressionReason(
  decision: Pick<Decision, 'suppressed'>,
): MetricDimensions<'AlertsSuppressed'>['reason'] {
  const text = decision.suppressed ?? '';
  if (text.startsWith('muted')) return 'muted';
  if (text.startsWith('composite')) return 'actions-suppressed';
  if (text.startsWith('no-data')) return 'no-data-policy';
  if (text.startsWith('silenced by')) return 'silenced';
  if (text.startsWith('maintenance window')) return 'window';
  if (text.startsWith('inhibited by')) return 'inhibited';
  if (text.startsWith('flapping')) return 'flapping';
  if (text.startsWith('allowlisted') || text.includes('own role')) return 'allowlisted';
  if (text.startsWith('finding update') || text.startsWith('resolve of a finding'))
    return 'finding-unchanged';
  return 'other';
}

/** Counts the alert by source and severity, the informational tier, and why it was suppressed. */
export const observeStage: AlertStage = {
  name: 'observe',
  needs: ['decision'],
  gives: [],
  async run(work, deps) {
    const decision = needed(work, 'decision', 'observe');
    const { alert } = decision;
    deps.observer.count('AlertsReceived', { source: alert.labels.source, severity: alert.severity });
    // The informational tier (Health, deployments, scaling, cost anomalies): the dashboard timeline.
    const informational = informationalOf(alert.labels);
    if (informational) deps.observer.count('InformationalEvents', informational);
    if (decision.suppressed) {
      deps.observer.count('AlertsSuppressed', {
        source: alert.labels.source,
        reason: suppressionReason(decision),
      });
    }
    return work;
  },
};
