import { type Alert, compareSeverity, type Severity } from '../../alert/alert';
import type { Payload } from '../http-receiver';
import { truncate, truncateDeep } from '../text';
import type { AlertGroup } from '../types';

/** Teams limits: a Workflows webhook message is at most about 28 KB; Klaxon keeps a margin under it. */
export const TEAMS_LIMITS = {
  /** The documented message limit, in bytes of the JSON body. */
  messageBytes: 28 * 1024,
  /** Klaxon's own budget: 2 KB under the limit (Teams wraps the card before measuring). */
  budgetBytes: 26 * 1024,
  facts: 12,
  actions: 6,
  urlLength: 2048,
} as const;

/** The Adaptive Card schema version Teams renders everywhere (desktop, web, mobile). */
export const ADAPTIVE_CARD_VERSION = '1.4';

/** The MIME type of an Adaptive Card attachment. */
export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

type TextBlock = {
  type: 'TextBlock';
  text: string;
  wrap: true;
  weight?: 'Bolder';
  size?: 'Small' | 'Medium' | 'Large';
  color?: 'Attention' | 'Warning' | 'Good' | 'Accent' | 'Default';
  isSubtle?: boolean;
  spacing?: 'None' | 'Small' | 'Medium';
};
type Element =
  | TextBlock
  | { type: 'Container'; style: ContainerStyle; bleed: true; items: TextBlock[] }
  | { type: 'FactSet'; facts: Array<{ title: string; value: string }> };
type ContainerStyle = 'attention' | 'warning' | 'good' | 'accent' | 'emphasis';

/** An Adaptive Card with only display elements and links (a Workflows webhook cannot take button clicks). */
export interface AdaptiveCard {
  $schema: string;
  type: 'AdaptiveCard';
  version: string;
  msteams: { width: 'Full' };
  body: Element[];
  actions?: Array<{ type: 'Action.OpenUrl'; title: string; url: string }>;
}

/** The body a Workflows "When a Teams webhook request is received" trigger takes. */
export interface TeamsMessage {
  type: 'message';
  attachments: Array<{
    contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE;
    contentUrl: null;
    content: AdaptiveCard;
  }>;
}

const STYLE: Record<Severity, { container: ContainerStyle; color: TextBlock['color'] }> = {
  critical: { container: 'attention', color: 'Attention' },
  error: { container: 'attention', color: 'Attention' },
  warning: { container: 'warning', color: 'Warning' },
  info: { container: 'accent', color: 'Accent' },
};

/** A zero-width space: invisible, and it breaks Markdown link syntax in every dialect. */
const ZERO_WIDTH_SPACE = '\u200b';

/**
 * Defuses the Markdown links Teams renders in TextBlocks and facts, so that an alarm name or
 * description written by anyone who can create an alarm cannot show a disguised link
 * (`[Reset your password](https://…)`). Only links are defused: backslash escapes are not rendered
 * alike by every Teams client, and bold or italics cannot mislead.
 */
export function escapeTeamsMarkdown(text: string): string {
  return text
    .replace(/\]\s*\(/g, (match) => `]${ZERO_WIDTH_SPACE}${match.slice(1)}`)
    .replace(/\]\s*\[/g, (match) => `]${ZERO_WIDTH_SPACE}${match.slice(1)}`);
}

function text(value: string, max: number, extra: Omit<TextBlock, 'type' | 'text' | 'wrap'> = {}): TextBlock {
  return { type: 'TextBlock', text: escapeTeamsMarkdown(truncate(value, max)), wrap: true, ...extra };
}

function banner(heading: string, style: (typeof STYLE)[Severity] | undefined, resolved: boolean): Element {
  const container: ContainerStyle = resolved ? 'good' : (style?.container ?? 'emphasis');
  const color: TextBlock['color'] = resolved ? 'Good' : (style?.color ?? 'Default');
  return {
    type: 'Container',
    style: container,
    bleed: true,
    items: [text(heading, 200, { weight: 'Bolder', size: 'Large', color })],
  };
}

function facts(entries: Array<[string, string | undefined]>): Element | undefined {
  const present = entries
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    .slice(0, TEAMS_LIMITS.facts)
    .map(([title, value]) => ({ title, value: escapeTeamsMarkdown(truncate(value, 500)) }));
  return present.length > 0 ? { type: 'FactSet', facts: present } : undefined;
}

function linksOf(alert: Alert): Array<{ title: string; url: string }> {
  return [
    { title: 'Runbook', url: alert.annotations.runbookUrl },
    { title: 'Open in console', url: alert.annotations.consoleUrl },
    ...alert.links.map((link) => ({ title: link.text, url: link.url })),
  ]
    .filter(
      (l): l is { title: string; url: string } =>
        !!l.url && l.url.length <= TEAMS_LIMITS.urlLength && /^https:\/\//.test(l.url),
    )
    .filter((link, index, all) => all.findIndex((other) => other.url === link.url) === index)
    .slice(0, TEAMS_LIMITS.actions);
}

function metricOf(alert: Alert): string | undefined {
  const metric = alert.metric;
  const name = metric?.metricName ?? metric?.expression;
  if (!name) return undefined;
  return [metric?.namespace, name, metric?.statistic ? `(${metric.statistic})` : undefined]
    .filter(Boolean)
    .join(' ');
}

function card(
  body: Array<Element | undefined>,
  actions: Array<{ title: string; url: string }>,
): TeamsMessage {
  const content: AdaptiveCard = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: ADAPTIVE_CARD_VERSION,
    msteams: { width: 'Full' },
    body: body.filter((e): e is Element => e !== undefined),
    ...(actions.length > 0
      ? {
          actions: actions.map((a) => ({
            type: 'Action.OpenUrl' as const,
            title: truncate(a.title, 40),
            url: a.url,
          })),
        }
      : {}),
  };
  return {
    type: 'message',
    attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content }],
  };
}

/** The size of a message as Teams measures it: bytes of its JSON body. */
export function teamsMessageBytes(message: TeamsMessage): number {
  return Buffer.byteLength(JSON.stringify(message));
}

/** Shrinks every text of a card until the message fits the budget; the links are kept intact. */
function fitted(message: TeamsMessage): TeamsMessage {
  if (teamsMessageBytes(message) <= TEAMS_LIMITS.budgetBytes) return message;
  const [attachment] = message.attachments;
  if (!attachment) return message;
  const { body, actions } = attachment.content;
  for (const max of [2000, 800, 300, 100]) {
    const shrunk: TeamsMessage = {
      ...message,
      attachments: [
        { ...attachment, content: { ...attachment.content, body: truncateDeep(body, max) as Element[] } },
      ],
    };
    if (teamsMessageBytes(shrunk) <= TEAMS_LIMITS.budgetBytes) return shrunk;
  }
  const first = body[0];
  return card(
    [
      first ? (truncateDeep(first, 100) as Element) : undefined,
      text('Details cut to fit Teams limits.', 100),
    ],
    (actions ?? []).slice(0, 2),
  );
}

function title(alert: Alert): string {
  return alert.labels.alarmName ?? alert.annotations.summary;
}

/** Renders one alert as an Adaptive Card: a severity-coloured banner, the facts, the same links as Slack. */
export function renderTeamsAlert(alert: Alert): TeamsMessage {
  const resolved = alert.status === 'resolved';
  const heading = resolved
    ? `RESOLVED: ${title(alert)}`
    : `${alert.noData ? 'NO DATA' : alert.severity.toUpperCase()}: ${title(alert)}`;
  const threshold =
    alert.metric?.threshold === undefined
      ? undefined
      : `${alert.metric.comparisonOperator ?? ''} ${alert.metric.threshold}`.trim();
  const dimensions = Object.entries(alert.metric?.dimensions ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const state = alert.labels.state;
  return fitted(
    card(
      [
        banner(heading, STYLE[alert.severity], resolved),
        text(alert.annotations.summary, 1500),
        alert.annotations.reason ? text(alert.annotations.reason, 1500, { isSubtle: true }) : undefined,
        alert.annotations.context && !resolved ? text(alert.annotations.context, 1000) : undefined,
        facts([
          ['Severity', resolved ? `${alert.severity} (resolved)` : alert.severity],
          ['State', state ? `${alert.labels.previousState ?? '?'} → ${state}` : alert.status],
          ['Account', alert.labels.account],
          ['Region', alert.labels.region],
          ['Metric', metricOf(alert)],
          ['Threshold', threshold],
          ['Dimensions', dimensions || undefined],
          ['Triggering alarms', alert.annotations.triggeringAlarms],
          ['Team', alert.labels.team],
          ['Service', alert.labels.service],
          ['Trend', resolved ? undefined : alert.annotations.trend],
          ['Enrichment missing', alert.annotations.enrichment],
        ]),
        alert.annotations.description && !resolved ? text(alert.annotations.description, 3000) : undefined,
        text(`source: ${alert.labels.source} · via ${alert.path}`, 300, { isSubtle: true, size: 'Small' }),
      ],
      linksOf(alert),
    ),
  );
}

/** How many alerts a grouped card lists before saying "and N more". */
export const TEAMS_GROUP_LIST_LIMIT = 40;

/** Renders a group of alerts (a storm) as one card listing them. */
export function renderTeamsGroup(group: AlertGroup): TeamsMessage {
  const resolved = group.status === 'resolved';
  const worst = [...group.alerts].sort((a, b) => compareSeverity(a.severity, b.severity))[0];
  const shared = Object.entries(group.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const heading = `${resolved ? 'RESOLVED' : 'FIRING'}: ${group.alerts.length} alerts`;
  const listed = group.alerts
    .slice(0, TEAMS_GROUP_LIST_LIMIT)
    .map((alert) => text(`${alert.severity}: ${title(alert)}`, 200, { spacing: 'None' }));
  const more = group.alerts.length - listed.length;
  return fitted(
    card(
      [
        banner(heading, worst ? STYLE[worst.severity] : undefined, resolved),
        text(`grouped by ${shared || 'route'} (${group.route})`, 300, { isSubtle: true }),
        ...listed,
        more > 0 ? text(`…and ${more} more`, 50, { isSubtle: true }) : undefined,
      ],
      [],
    ),
  );
}

/** Renders a prepared message's plain text (the digest) as a card of paragraphs. */
export function renderTeamsText(body: string): TeamsMessage {
  const paragraphs = body
    .split(/\n{2,}/)
    .slice(0, 60)
    .map((p) => text(p, 2000));
  return fitted(card(paragraphs, []));
}

/** Renders whatever a Teams receiver sends. */
export function renderTeamsMessage(payload: Payload): TeamsMessage {
  if (payload.kind === 'alert') return renderTeamsAlert(payload.alert);
  if (payload.kind === 'group') return renderTeamsGroup(payload.group);
  return renderTeamsText(String(payload.body));
}
