import type { Alert } from '../../alert/alert';
import { dedupKeyFor } from '../../alert/fingerprint';
import { jsonBytesBound } from '../../json';
import { truncate, truncateDeep } from '../text';

/** PagerDuty Events API v2 limits (developer docs; see shared/reference/limits.md). */
export const PAGERDUTY_LIMITS = { summary: 1024, source: 255, payloadBytes: 512 * 1024 } as const;

/** Klaxon's own budget for custom_details, far under the 512 KB limit: on-call reads it on a phone. */
const CUSTOM_DETAILS_BUDGET_BYTES = 32 * 1024;

/** The string lengths custom_details are cut to, longest first, until they fit the budget. */
const CUT_STEPS = [4000, 1000, 200, 50] as const;

/**
 * A JSON size bound under which custom_details go out uncut: a string of 4,000 characters alone
 * bounds at 24,002 bytes, so under 24,000 none reaches the first cut, and the whole fits the budget.
 */
const UNCUT_BOUND_BYTES = 6 * CUT_STEPS[0];

/** The default Events API v2 endpoint. */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/** A PagerDuty Events API v2 event body. */
export interface PagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'resolve';
  dedup_key: string;
  client?: string;
  payload?: {
    summary: string;
    source: string;
    severity: Alert['severity'];
    timestamp?: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details?: Record<string, unknown>;
  };
  links?: Array<{ href: string; text: string }>;
}

function customDetails(alert: Alert): Record<string, unknown> {
  const metric = alert.metric;
  const details: Record<string, unknown> = {
    state: alert.labels.previousState
      ? `${alert.labels.previousState} -> ${alert.labels.state}`
      : alert.labels.state,
    reason: alert.annotations.reason,
    description: alert.annotations.description,
    account: alert.labels.account,
    region: alert.labels.region,
    metric: metric?.metricName
      ? [metric.namespace, metric.metricName, metric.statistic].filter(Boolean).join(' / ')
      : metric?.expression,
    threshold:
      metric?.threshold !== undefined
        ? `${metric.comparisonOperator ?? ''} ${metric.threshold}`.trim()
        : undefined,
    dimensions: metric && Object.keys(metric.dimensions).length > 0 ? metric.dimensions : undefined,
    triggering_alarms: alert.annotations.triggeringAlarms,
    context: alert.annotations.context?.split('\n'),
    severity_note: alert.annotations.severityNote,
    trend: alert.annotations.trend,
    datapoints: alert.annotations.datapoints,
    recent_values: alert.annotations.recentValues,
    related_signals: alert.annotations.related?.split('\n'),
    alarming_children: alert.annotations.alarmingChildren,
    enrichment_missing: alert.annotations.enrichment,
    labels: alert.labels,
    transition_id: alert.transitionId,
  };
  const present = Object.fromEntries(
    Object.entries(details).filter(([, value]) => value !== undefined && value !== ''),
  );
  // The bound passing means every string is under the first cut and the whole fits: nothing to cut.
  if (jsonBytesBound(present, UNCUT_BOUND_BYTES) <= UNCUT_BOUND_BYTES) return present;
  for (const max of CUT_STEPS) {
    const fitted = truncateDeep(present, max) as Record<string, unknown>;
    if (Buffer.byteLength(JSON.stringify(fitted)) <= CUSTOM_DETAILS_BUDGET_BYTES) return fitted;
  }
  return {
    reason: truncate(alert.annotations.reason ?? '', 1000),
    note: 'details cut to fit PagerDuty limits',
  };
}

/** Renders an alert as an Events API v2 event: trigger when firing, resolve (same dedup_key) when resolved. */
export function renderPagerDutyEvent(alert: Alert, routingKey: string): PagerDutyEvent {
  const dedupKey = dedupKeyFor(alert.fingerprint);
  if (alert.status === 'resolved') {
    return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey };
  }
  const links = [
    alert.annotations.runbookUrl ? { href: alert.annotations.runbookUrl, text: 'Runbook' } : undefined,
    alert.annotations.consoleUrl
      ? { href: alert.annotations.consoleUrl, text: 'Open in AWS console' }
      : undefined,
    ...alert.links.map((link) => ({ href: link.url, text: link.text })),
  ]
    .filter((l): l is { href: string; text: string } => l !== undefined)
    .filter((link, index, all) => all.findIndex((other) => other.href === link.href) === index);
  const metric = alert.metric;
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    client: 'Klaxon',
    payload: {
      summary: truncate(alert.annotations.summary, PAGERDUTY_LIMITS.summary),
      source: truncate(
        alert.labels.alarmArn ?? `${alert.labels.account}/${alert.labels.region}`,
        PAGERDUTY_LIMITS.source,
      ),
      severity: alert.severity,
      timestamp: alert.startsAt,
      component: metric?.namespace ?? alert.labels.source,
      group: `${alert.labels.account}/${alert.labels.region}`,
      class: alert.labels.alarmKind ?? alert.labels.source,
      custom_details: customDetails(alert),
    },
    ...(links.length > 0 ? { links } : {}),
  };
}
