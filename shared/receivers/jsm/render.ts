import { urlComponent } from '../../url';
import { createHash } from 'node:crypto';
import type { Alert, Severity } from '../../alert/alert';
import { truncate } from '../text';

/** JSM Operations (and Opsgenie) alert API limits, in characters. */
export const JSM_LIMITS = {
  message: 130,
  alias: 512,
  description: 15_000,
  source: 100,
  entity: 512,
  user: 100,
  note: 25_000,
  tags: 20,
  tag: 50,
  /** Keys and values of `details` together. */
  details: 8_000,
} as const;

/** An alert priority of JSM Operations and Opsgenie. */
export type JsmPriority = 'P1' | 'P2' | 'P3' | 'P4' | 'P5';

/** Priorities by severity unless a receiver overrides them: `info` is informational (P5). */
export const DEFAULT_PRIORITIES: Record<Severity, JsmPriority> = {
  critical: 'P1',
  error: 'P2',
  warning: 'P3',
  info: 'P5',
};

/** The body of a create-alert request. */
export interface JsmCreateAlert {
  message: string;
  alias: string;
  description: string;
  priority: JsmPriority;
  source: string;
  entity: string;
  tags: string[];
  details: Record<string, string>;
  user: string;
}

/** The body of a close or acknowledge request. */
export interface JsmAlertAction {
  source: string;
  user: string;
  note: string;
}

/** One request to the alert API: a path under the API's base URL and its body. */
export interface JsmRequest {
  path: string;
  body: JsmCreateAlert | JsmAlertAction;
}

/** The alias (deduplication key) of an alert: its fingerprint, hashed only when longer than 512. */
export function jsmAlias(fingerprint: string): string {
  if (fingerprint.length <= JSM_LIMITS.alias) return fingerprint;
  return `sha256:${createHash('sha256').update(fingerprint).digest('hex')}`;
}

function detailsOf(alert: Alert): Record<string, string> {
  const metric = alert.metric;
  const entries: Array<[string, string | undefined]> = [
    ['fingerprint', alert.fingerprint],
    ['account', alert.labels.account],
    ['region', alert.labels.region],
    ['source', alert.labels.source],
    ['state', alert.labels.state],
    [
      'metric',
      metric?.metricName
        ? [metric.namespace, metric.metricName, metric.statistic].filter(Boolean).join(' / ')
        : metric?.expression,
    ],
    [
      'threshold',
      metric?.threshold === undefined
        ? undefined
        : `${metric.comparisonOperator ?? ''} ${metric.threshold}`.trim(),
    ],
    ['team', alert.labels.team],
    ['service', alert.labels.service],
    ['runbook', alert.annotations.runbookUrl],
    ['console', alert.annotations.consoleUrl],
    ['transitionId', alert.transitionId],
  ];
  const details: Record<string, string> = {};
  let used = 0;
  for (const [key, value] of entries) {
    if (value === undefined || value === '') continue;
    const shown = truncate(value, 1000);
    if (used + key.length + shown.length > JSM_LIMITS.details) break;
    details[key] = shown;
    used += key.length + shown.length;
  }
  return details;
}

function tagsOf(alert: Alert, extra: readonly string[]): string[] {
  const tags = [
    ...extra,
    'klaxon',
    alert.severity,
    alert.labels.source,
    alert.labels.account,
    alert.labels.region,
    alert.labels.team,
    alert.labels.service,
  ]
    .filter((t): t is string => t !== undefined && t !== '')
    .map((t) => truncate(t.replace(/\s+/g, '-'), JSM_LIMITS.tag));
  return [...new Set(tags)].slice(0, JSM_LIMITS.tags);
}

function descriptionOf(alert: Alert): string {
  const links = [
    alert.annotations.runbookUrl ? `Runbook: ${alert.annotations.runbookUrl}` : undefined,
    alert.annotations.consoleUrl ? `Console: ${alert.annotations.consoleUrl}` : undefined,
    ...alert.links.map((link) => `${link.text}: ${link.url}`),
  ].filter((l): l is string => l !== undefined);
  const a = alert.annotations;
  const head = [
    truncate(a.summary, 2000),
    a.reason && truncate(a.reason, 4000),
    a.context && truncate(a.context, 2000),
  ]
    .filter(Boolean)
    .join('\n\n');
  // Links come first after the summary so that cutting a long description never loses them.
  const linked = [head, links.join('\n')].filter(Boolean).join('\n\n');
  const rest = alert.annotations.description ?? '';
  return truncate(rest ? `${linked}\n\n${rest}` : linked, JSM_LIMITS.description);
}

/** The request for an alert: create when firing, close by alias when resolved. */
export function renderJsmRequest(
  alert: Alert,
  options: { priorities?: Partial<Record<Severity, JsmPriority>>; tags?: readonly string[] } = {},
): JsmRequest {
  const alias = jsmAlias(alert.fingerprint);
  if (alert.status === 'resolved')
    return jsmActionRequest(alias, 'close', alert.annotations.reason ?? 'resolved');
  const state = alert.noData ? 'NO DATA' : alert.severity.toUpperCase();
  return {
    path: '/v2/alerts',
    body: {
      message: truncate(
        `[${state}] ${alert.labels.alarmName ?? alert.annotations.summary}`,
        JSM_LIMITS.message,
      ),
      alias,
      description: descriptionOf(alert),
      priority: options.priorities?.[alert.severity] ?? DEFAULT_PRIORITIES[alert.severity],
      source: 'Klaxon',
      entity: truncate(
        alert.labels.alarmArn ?? `${alert.labels.account}/${alert.labels.region}`,
        JSM_LIMITS.entity,
      ),
      tags: tagsOf(alert, options.tags ?? []),
      details: detailsOf(alert),
      user: 'Klaxon',
    },
  };
}

/** A close or acknowledge request for the alert with this alias. */
export function jsmActionRequest(alias: string, action: 'close' | 'acknowledge', note: string): JsmRequest {
  return {
    path: `/v2/alerts/${urlComponent(alias)}/${action}?identifierType=alias`,
    body: { source: 'Klaxon', user: 'Klaxon', note: truncate(note, JSM_LIMITS.note) },
  };
}
