import type { Alert } from '../../alert/alert';
import { snsSubject } from '../sns/render';
import { truncate, truncateDeep } from '../text';
import type { AlertGroup } from '../types';
import { renderWebhookBody, renderWebhookGroupBody } from '../webhook/render';

/** SNS limits for an email publish: the subject (ASCII, one line) and the whole message in bytes. */
export const EMAIL_LIMITS = {
  subject: 100,
  messageBytes: 256 * 1024,
  /** Klaxon's budget for each of the two renderings (email text, default JSON), well under the total. */
  partBytes: 100 * 1024,
  /** Alerts listed by name in a grouped email before "and N more". */
  groupList: 100,
} as const;

/** One SNS publish: the subject and one message per protocol (`MessageStructure: json`). */
export interface EmailPublish {
  subject: string;
  /** The plain-text email body, and the JSON document every other protocol (SQS, Lambda, HTTP) gets. */
  messages: { email: string; default: string };
}

function fitText(text: string): string {
  let shown = truncate(text, EMAIL_LIMITS.partBytes);
  // Characters outside ASCII take up to 4 bytes: cut further until the bytes fit.
  while (Buffer.byteLength(shown) > EMAIL_LIMITS.partBytes)
    shown = truncate(shown, Math.floor(shown.length * 0.8));
  return shown;
}

function fitJson(document: unknown): string {
  for (const max of [Number.POSITIVE_INFINITY, 4000, 1000, 200]) {
    const text = JSON.stringify(Number.isFinite(max) ? truncateDeep(document, max) : document);
    if (Buffer.byteLength(text) <= EMAIL_LIMITS.partBytes) return text;
  }
  return JSON.stringify({ version: '1', note: 'document cut to fit the SNS message limit' });
}

/** One line per fact, label and value, skipping what is absent. */
function factLines(entries: Array<[string, string | undefined]>): string[] {
  return entries
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    .map(([label, value]) => `${`${label}:`.padEnd(12)} ${truncate(value.replace(/\s+/g, ' '), 1000)}`);
}

function linkLines(alert: Alert): string[] {
  const links = [
    { text: 'Runbook', url: alert.annotations.runbookUrl },
    { text: 'Console', url: alert.annotations.consoleUrl },
    ...alert.links,
  ].filter((l): l is { text: string; url: string } => !!l.url);
  const unique = links.filter((link, index) => links.findIndex((o) => o.url === link.url) === index);
  return unique.map((link) => `  ${link.text}: ${link.url}`);
}

function title(alert: Alert): string {
  return alert.labels.alarmName ?? alert.annotations.summary;
}

/** The email text of one alert: what happened, the facts, the links, then the long description. */
export function renderEmailText(alert: Alert, receiver: string): string {
  const resolved = alert.status === 'resolved';
  const metric = alert.metric;
  const state = alert.labels.state;
  const links = linkLines(alert);
  const lines = [
    `${resolved ? 'RESOLVED' : `FIRING (${alert.noData ? 'no data' : alert.severity})`}: ${title(alert)}`,
    '',
    truncate(alert.annotations.summary, 2000),
    ...(alert.annotations.reason ? ['', truncate(alert.annotations.reason, 4000)] : []),
    ...(alert.annotations.context && !resolved ? ['', truncate(alert.annotations.context, 2000)] : []),
    '',
    ...factLines([
      ['Severity', resolved ? `${alert.severity} (resolved)` : alert.severity],
      ['State', state ? `${alert.labels.previousState ?? '?'} -> ${state}` : alert.status],
      ['Account', alert.labels.account],
      ['Region', alert.labels.region],
      ['Source', alert.labels.source],
      [
        'Metric',
        metric?.metricName
          ? [metric.namespace, metric.metricName, metric.statistic].filter(Boolean).join(' / ')
          : metric?.expression,
      ],
      [
        'Threshold',
        metric?.threshold === undefined
          ? undefined
          : `${metric.comparisonOperator ?? ''} ${metric.threshold}`.trim(),
      ],
      [
        'Dimensions',
        Object.entries(metric?.dimensions ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(', '),
      ],
      ['Team', alert.labels.team],
      ['Service', alert.labels.service],
      ['Since', alert.startsAt],
      ['Trend', resolved ? undefined : alert.annotations.trend],
      ['Missing', alert.annotations.enrichment],
    ]),
    ...(links.length > 0 ? ['', 'Links:', ...links] : []),
    ...(alert.annotations.description && !resolved
      ? ['', 'Description:', alert.annotations.description]
      : []),
    '',
    '--',
    `Fingerprint: ${alert.fingerprint}`,
    `Sent by Klaxon (receiver ${receiver}).`,
  ];
  return fitText(lines.join('\n'));
}

/** The SNS publish of one alert: a one-line subject, the email text, the webhook JSON as default. */
export function renderEmailAlert(alert: Alert, receiver: string, subjectPrefix = ''): EmailPublish {
  const state =
    alert.status === 'resolved' ? 'RESOLVED' : alert.noData ? 'NO DATA' : alert.severity.toUpperCase();
  return {
    subject: snsSubject(`${subjectPrefix}[${state}] ${title(alert)}`),
    messages: {
      email: renderEmailText(alert, receiver),
      default: fitJson(renderWebhookBody(alert, receiver)),
    },
  };
}

/** The SNS publish of a storm: one digest email listing every alert (the first 100 with their links). */
export function renderEmailGroup(group: AlertGroup, receiver: string, subjectPrefix = ''): EmailPublish {
  const shared = Object.entries(group.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const word = group.status === 'resolved' ? 'RESOLVED' : 'FIRING';
  const listed = group.alerts
    .slice(0, EMAIL_LIMITS.groupList)
    .flatMap((alert) => [
      `- [${alert.severity}] ${truncate(title(alert), 200)}`,
      `    ${truncate(alert.annotations.summary.replace(/\s+/g, ' '), 300)}`,
      ...(alert.annotations.consoleUrl ? [`    ${alert.annotations.consoleUrl}`] : []),
    ]);
  const more = group.alerts.length - Math.min(group.alerts.length, EMAIL_LIMITS.groupList);
  const text = [
    `${word}: ${group.alerts.length} alerts grouped by ${shared || 'route'} (route ${group.route})`,
    '',
    ...listed,
    ...(more > 0 ? ['', `...and ${more} more.`] : []),
    '',
    '--',
    `Sent by Klaxon (receiver ${receiver}).`,
  ].join('\n');
  return {
    subject: snsSubject(`${subjectPrefix}[${word}] ${group.alerts.length} alerts: ${shared || group.route}`),
    messages: { email: fitText(text), default: fitJson(renderWebhookGroupBody(group, receiver)) },
  };
}

/** The SNS publish of a prepared message (the digest) in its text form. */
export function renderEmailPrepared(text: string, receiver: string, subjectPrefix = ''): EmailPublish {
  const firstLine = text.split('\n', 1)[0] ?? '';
  return {
    subject: snsSubject(`${subjectPrefix}${firstLine || 'Klaxon digest'}`),
    messages: {
      email: fitText(`${text}\n\n--\nSent by Klaxon (receiver ${receiver}).`),
      default: fitJson({ version: '1', receiver, kind: 'digest', text }),
    },
  };
}
