import { type Alert, compareSeverity, type Severity } from '../../alert/alert';
import { escapeAndTruncate, truncate } from '../text';
import type { AlertGroup } from '../types';

/** Block Kit limits (Slack's Block Kit reference; see shared/reference/limits.md). */
export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  buttonText: 75,
  buttonUrl: 3000,
  actionsElements: 25,
  contextElements: 10,
  /** Kept well under the ~13,200 characters at which Slack answers msg_blocks_too_long. */
  messageText: 10_000,
} as const;

/** Per-field budget chosen so that a full message stays under `messageText` (10 fields × 500 + the rest). */
const FIELD_BUDGET = 500;

const SEVERITY_EMOJI: Record<Severity, string> = {
  critical: ':red_circle:',
  error: ':large_orange_circle:',
  warning: ':large_yellow_circle:',
  info: ':large_blue_circle:',
};

/** A Block Kit text object. */
export type TextObject = { type: 'mrkdwn' | 'plain_text'; text: string; emoji?: boolean };
/** A Block Kit button: a link (`url`) or an interactive one (`value`, answered by the interactivity endpoint). */
export interface SlackButton {
  type: 'button';
  text: TextObject;
  action_id: string;
  url?: string;
  value?: string;
  style?: 'primary' | 'danger';
}

/** The Block Kit blocks Klaxon renders. */
export type Block =
  | { type: 'header'; text: TextObject }
  | { type: 'section'; text?: TextObject; fields?: TextObject[] }
  | { type: 'context'; elements: TextObject[] }
  | {
      type: 'actions';
      elements: SlackButton[];
    };

/** A Slack incoming-webhook message. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

function field(label: string, value: string | undefined): TextObject | undefined {
  if (value === undefined || value === '') return undefined;
  return { type: 'mrkdwn', text: `*${label}*\n${escapeAndTruncate(value, FIELD_BUDGET)}` };
}

function describeMetric(alert: Alert): string | undefined {
  const metric = alert.metric;
  if (!metric) return undefined;
  const name = metric.metricName ?? metric.expression;
  if (!name) return undefined;
  return [metric.namespace, name, metric.statistic ? `(${metric.statistic})` : undefined]
    .filter(Boolean)
    .join(' ');
}

function describeThreshold(alert: Alert): string | undefined {
  const metric = alert.metric;
  if (metric?.threshold === undefined) return undefined;
  return `${metric.comparisonOperator ?? ''} ${metric.threshold}`.trim();
}

function describeDimensions(alert: Alert): string | undefined {
  const entries = Object.entries(alert.metric?.dimensions ?? {});
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(', ') : undefined;
}

/** Room for the enrichment section (trend, datapoints, related signals, what is missing). */
const ENRICHMENT_BUDGET = 1800;

/** The enrichment lines of an alert, escaped for mrkdwn (each one cut to fit on its own). */
function enrichmentText(alert: Alert): string | undefined {
  const a = alert.annotations;
  const line = (label: string, value: string | undefined, max = 400) =>
    value ? `*${label}:* ${escapeAndTruncate(value, max)}` : undefined;
  const lines = [
    line('Trend', a.trend),
    a.datapoints ? `*Datapoints:* \`${escapeAndTruncate(a.datapoints, 300)}\`` : undefined,
    line('Recent values', a.recentValues, 300),
    a.related
      ? `*Related signals:*\n${a.related
          .split('\n')
          .slice(0, 8)
          .map((l) => `• \`${escapeAndTruncate(l, 150)}\``)
          .join('\n')}`
      : undefined,
    line('Children in ALARM', a.alarmingChildren),
    a.enrichment ? `:warning: *Enrichment missing:* ${escapeAndTruncate(a.enrichment, 400)}` : undefined,
  ].filter((l): l is string => l !== undefined);
  return lines.length > 0 ? lines.join('\n') : undefined;
}

/** Inserts the enrichment section before the buttons, in whatever room the message has left. */
function withEnrichment(alert: Alert, blocks: Block[]): Block[] {
  const text = alert.status === 'firing' ? enrichmentText(alert) : alert.annotations.enrichment;
  if (!text) return blocks;
  const room = Math.min(ENRICHMENT_BUDGET, 12_500 - JSON.stringify(blocks).length);
  if (room < 200 || blocks.length >= SLACK_LIMITS.blocks) return blocks;
  const shown =
    alert.status === 'firing' ? text : `:warning: *Enrichment missing:* ${escapeAndTruncate(text, 400)}`;
  const section: Block = { type: 'section', text: { type: 'mrkdwn', text: truncate(shown, room) } };
  const at = blocks.findIndex((b) => b.type === 'actions' || b.type === 'context');
  return at < 0 ? [...blocks, section] : [...blocks.slice(0, at), section, ...blocks.slice(at)];
}

function title(alert: Alert): string {
  return alert.labels.alarmName ?? alert.annotations.summary;
}

/** Renders an alert as a Block Kit message; every limit is enforced by truncation, never by rejection. */
export function renderSlackMessage(alert: Alert): SlackMessage {
  const resolved = alert.status === 'resolved';
  const state = alert.labels.state;
  const heading = resolved
    ? `:large_green_circle: RESOLVED ${title(alert)}`
    : `${SEVERITY_EMOJI[alert.severity]} ${alert.noData ? 'NO DATA' : alert.severity.toUpperCase()} ${title(alert)}`;
  const blocks: Block[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: truncate(heading, SLACK_LIMITS.headerText), emoji: true },
    },
  ];
  const body = [alert.annotations.summary, alert.annotations.reason].filter(Boolean).join('\n');
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: escapeAndTruncate(body, 1500) } });
  // Set by `annotate` rules (shared/noise): what else is going on, e.g. a deployment of the service.
  if (alert.annotations.context && !resolved) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `:construction: ${escapeAndTruncate(alert.annotations.context, 1000)}` },
    });
  }
  const fields = [
    field('Severity', resolved ? `${alert.severity} (resolved)` : alert.severity),
    field('State', state ? `${alert.labels.previousState ?? '?'} → ${state}` : alert.status),
    field('Account', alert.labels.account),
    field('Region', alert.labels.region),
    field('Metric', describeMetric(alert)),
    field('Threshold', describeThreshold(alert)),
    field('Dimensions', describeDimensions(alert)),
    field('Triggering alarms', alert.annotations.triggeringAlarms),
    field('Team', alert.labels.team),
    field('Service', alert.labels.service),
  ].filter((f): f is TextObject => f !== undefined);
  if (fields.length > 0) blocks.push({ type: 'section', fields: fields.slice(0, SLACK_LIMITS.fields) });
  if (alert.annotations.description && !resolved) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: escapeAndTruncate(alert.annotations.description, 1000) },
    });
  }
  const buttons = [
    { text: 'Runbook', url: alert.annotations.runbookUrl, id: 'runbook' },
    { text: 'Open in console', url: alert.annotations.consoleUrl, id: 'console' },
    ...alert.links.map((link, index) => ({ text: link.text, url: link.url, id: `link-${index}` })),
  ]
    .filter(
      (b): b is { text: string; url: string; id: string } =>
        !!b.url && b.url.length <= SLACK_LIMITS.buttonUrl,
    )
    .filter((button, index, all) => all.findIndex((other) => other.url === button.url) === index);
  if (buttons.length > 0) {
    blocks.push({
      type: 'actions',
      elements: buttons.slice(0, SLACK_LIMITS.actionsElements).map((b) => ({
        type: 'button',
        text: { type: 'plain_text', text: truncate(b.text, SLACK_LIMITS.buttonText) },
        url: b.url,
        action_id: b.id,
      })),
    });
  }
  const context = [
    `source: ${alert.labels.source}`,
    `via ${alert.path}`,
    alert.annotations.severityNote,
    alert.annotations.evaluationState ? `evaluation: ${alert.annotations.evaluationState}` : undefined,
  ].filter((c): c is string => !!c);
  blocks.push({
    type: 'context',
    elements: context
      .slice(0, SLACK_LIMITS.contextElements)
      .map((text) => ({ type: 'mrkdwn' as const, text: escapeAndTruncate(text, 300) })),
  });
  return {
    text: truncate(alert.annotations.summary, 1000),
    blocks: withEnrichment(alert, blocks).slice(0, SLACK_LIMITS.blocks),
  };
}

/** How many alerts a grouped Slack message lists before saying "and N more". */
export const GROUP_LIST_LIMIT = 40;

/**
 * Renders a group of alerts (a storm) as one Block Kit message listing them; the members whose
 * fingerprints are in `resolved` are marked and counted ("9 firing, 3 resolved").
 */
export function renderSlackGroupMessage(
  group: AlertGroup,
  resolved: ReadonlySet<string> = new Set(),
): SlackMessage {
  const count = Math.max(group.total ?? 0, group.alerts.length);
  const done = group.alerts.filter((alert) => resolved.has(alert.fingerprint)).length;
  const allResolved = group.status === 'resolved' || (done > 0 && done >= count);
  const firing = group.alerts.filter((alert) => !resolved.has(alert.fingerprint));
  const worst = [...(firing.length > 0 ? firing : group.alerts)].sort((a, b) =>
    compareSeverity(a.severity, b.severity),
  )[0];
  const shared = Object.entries(group.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const heading = allResolved
    ? `:large_green_circle: RESOLVED ${count} alerts`
    : done > 0
      ? `${SEVERITY_EMOJI[worst?.severity ?? 'warning']} ${count - done} firing, ${done} resolved`
      : `${SEVERITY_EMOJI[worst?.severity ?? 'warning']} ${count} alerts firing`;
  const listed = group.alerts.slice(0, GROUP_LIST_LIMIT).map((alert) => {
    const link = alert.annotations.consoleUrl;
    const name = escapeAndTruncate(alert.labels.alarmName ?? alert.annotations.summary, 120);
    // An annotate rule's note (a deployment in progress) matters as much in a storm as alone.
    const context = alert.annotations.context
      ? ` _(${escapeAndTruncate(alert.annotations.context.split('\n')[0] ?? '', 200)})_`
      : '';
    const state =
      resolved.has(alert.fingerprint) && group.status !== 'resolved' ? ':white_check_mark: resolved ' : '';
    return `• ${state}*${alert.severity}* ${link && link.length < 500 ? `<${link}|${name}>` : name}${context}`;
  });
  const more = count - listed.length;
  const chunks: string[] = [];
  let current = '';
  for (const line of listed) {
    if (current.length + line.length + 1 > 2800) {
      chunks.push(current);
      current = '';
    }
    current += `${current ? '\n' : ''}${line}`;
  }
  if (current) chunks.push(current);
  const blocks: Block[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: truncate(heading, SLACK_LIMITS.headerText), emoji: true },
    },
    {
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: escapeAndTruncate(`grouped by ${shared || 'route'} (${group.route})`, 300) },
      ],
    },
    ...chunks.slice(0, 8).map((text): Block => ({ type: 'section', text: { type: 'mrkdwn', text } })),
  ];
  if (more > 0) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${more} more` }] });
  return { text: truncate(`${heading} (${shared})`, 1000), blocks };
}
