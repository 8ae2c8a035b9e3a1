import type { ReceiverTraits } from '../shared/receivers/descriptor';
import { escapeHtml, linkOrText, safeHref } from './html-escape';

/*
 * What each receiver's client would draw from a payload Klaxon would send: a Slack message (Block
 * Kit), a PagerDuty incident, a Teams Adaptive Card, an email as a mail client shows it. Every text
 * goes through html-escape.ts; style values (colours, sizes, widths) come from fixed tables, never
 * from the payload.
 */

const EMOJI: Record<string, string> = {
  ':red_circle:': '🔴',
  ':large_orange_circle:': '🟠',
  ':large_yellow_circle:': '🟡',
  ':large_blue_circle:': '🔵',
  ':large_green_circle:': '🟢',
  ':white_check_mark:': '✅',
  ':warning:': '⚠️',
  ':rotating_light:': '🚨',
  ':grey_question:': '❔',
  ':no_entry:': '⛔',
};

/** Private-use markers that stand for links taken out before escaping (they cannot occur in escaped text). */
const OPEN = '\uE000';
const CLOSE = '\uE001';
const restoreLinks = (html: string, links: string[]) =>
  html.replace(new RegExp(`${OPEN}(\\d+)${CLOSE}`, 'g'), (_m, index: string) => links[Number(index)] ?? '');

/** Undoes the three escapes Slack text carries (`&amp;` last, so `&amp;lt;` stays `&lt;`). */
const slackUnescape = (text: string) =>
  text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/**
 * Slack mrkdwn as Slack draws it: *bold*, _italic_, `code`, <url|text>, emoji, line breaks. In Slack
 * text a raw `<…>` is always a control sequence (a link) and a literal bracket arrives as `&lt;`, so
 * links are found before the entities are undone, as Slack does.
 */
function mrkdwn(text: unknown): string {
  const raw = String(text ?? '').replace(/[\uE000\uE001]/g, '');
  const links: string[] = [];
  const withoutLinks = raw.replace(/<([^|>\s]+)(?:\|([^>]*))?>/g, (_m, url: string, label?: string) => {
    links.push(linkOrText(slackUnescape(url), slackUnescape(label ?? url)));
    return `${OPEN}${links.length - 1}${CLOSE}`;
  });
  return restoreLinks(
    escapeHtml(slackUnescape(withoutLinks))
      .replace(/:[a-z_]+:/g, (code) => EMOJI[code] ?? code)
      .replace(/`([^`]+)`/g, '<code>$1</code>')
      .replace(/(^|[\s(])\*([^*\n]+)\*/g, '$1<b>$2</b>')
      .replace(/(^|[\s(])_([^_\n]+)_/g, '$1<i>$2</i>'),
    links,
  ).replace(/\n/g, '<br>');
}

type Block = {
  type?: string;
  text?: { text?: string };
  fields?: Array<{ text?: string }>;
  elements?: Array<Record<string, unknown>>;
};

function slackBlock(block: Block): string {
  switch (block.type) {
    case 'header':
      return `<div class="sl-header">${mrkdwn(block.text?.text)}</div>`;
    case 'section': {
      const text = block.text ? `<div class="sl-text">${mrkdwn(block.text.text)}</div>` : '';
      const fields = block.fields
        ? `<div class="sl-fields">${block.fields.map((f) => `<div>${mrkdwn(f.text)}</div>`).join('')}</div>`
        : '';
      return `<div class="sl-section">${text}${fields}</div>`;
    }
    case 'actions':
      return `<div class="sl-actions">${(block.elements ?? [])
        .map((e) => {
          const label = escapeHtml((e.text as { text?: string } | undefined)?.text ?? 'Button');
          const href = safeHref(e.url);
          const style = e.style === 'danger' ? ' sl-danger' : e.style === 'primary' ? ' sl-primary' : '';
          return href
            ? `<a class="sl-button${style}" href="${href}">${label}</a>`
            : `<span class="sl-button${style}">${label}</span>`;
        })
        .join('')}</div>`;
    case 'context':
      return `<div class="sl-context">${(block.elements ?? []).map((e) => `<span>${mrkdwn(e.text)}</span>`).join(' · ')}</div>`;
    case 'divider':
      return '<hr class="sl-divider">';
    default:
      return `<pre class="sl-unknown">${escapeHtml(JSON.stringify(block, null, 2))}</pre>`;
  }
}

/** A Slack message (Block Kit, attachments) as the Slack client draws it. */
export function slackMessage(payload: Record<string, unknown>, colour: string): string {
  const blocks = Array.isArray(payload.blocks) ? (payload.blocks as Block[]) : [];
  const attachments = Array.isArray(payload.attachments)
    ? (payload.attachments as Array<{ color?: string; blocks?: Block[]; text?: string }>)
    : [];
  const body =
    blocks.length > 0
      ? blocks.map(slackBlock).join('')
      : `<div class="sl-text">${mrkdwn(payload.text)}</div>`;
  const extra = attachments
    .map((a) => {
      const bar =
        typeof a.color === 'string' && /^#?[0-9a-f]{6}$/i.test(a.color)
          ? a.color.replace(/^#?/, '#')
          : colour;
      const inner =
        (a.blocks ?? []).map(slackBlock).join('') || `<div class="sl-text">${mrkdwn(a.text)}</div>`;
      return `<div class="sl-attachment" style="border-left-color:${bar}">${inner}</div>`;
    })
    .join('');
  return `<div class="slack" style="border-left-color:${colour}"><div class="sl-app"><span class="sl-avatar">K</span><b>Klaxon</b> <span class="sl-tag">APP</span></div>${body}${extra}</div>`;
}

const PD_SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);

/** A PagerDuty Events v2 event as the incident PagerDuty opens from it. */
export function pagerDutyIncident(payload: Record<string, unknown>): string {
  const inner = (payload.payload ?? {}) as Record<string, unknown>;
  const links = Array.isArray(payload.links)
    ? (payload.links as Array<{ href?: string; text?: string }>)
    : [];
  const details = inner.custom_details as Record<string, unknown> | undefined;
  const rows = Object.entries(details ?? {})
    .filter(([key]) => key !== 'labels')
    .map(([key, value]) => `<tr><th>${escapeHtml(key)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join('');
  const severity = typeof inner.severity === 'string' ? inner.severity : '';
  const badge = PD_SEVERITIES.has(severity) ? ` pd-${severity}` : '';
  return `<div class="pd">
<div class="pd-head"><span class="pd-badge${badge}">${escapeHtml(severity.toUpperCase()) || 'EVENT'}</span> <span class="pd-action">${escapeHtml(payload.event_action ?? '')}</span></div>
<div class="pd-title">${escapeHtml(inner.summary ?? '(no summary)')}</div>
<div class="pd-meta">source ${escapeHtml(inner.source ?? '')} · component ${escapeHtml(inner.component ?? '')} · group ${escapeHtml(inner.group ?? '')}</div>
<div class="pd-meta">dedup key ${escapeHtml(payload.dedup_key ?? '')}</div>
${links.map((l) => (safeHref(l.href) ? linkOrText(l.href, l.text ?? l.href, ' class="pd-link"') : '')).join(' ')}
${rows ? `<table class="pd-details">${rows}</table>` : ''}
</div>`;
}

// Adaptive Cards, with the values of Teams' light host config.

type Card = Record<string, unknown>;

const AC_CONTAINER_STYLE: Record<string, string> = {
  default: 'ac-s-default',
  emphasis: 'ac-s-emphasis',
  good: 'ac-s-good',
  attention: 'ac-s-attention',
  warning: 'ac-s-warning',
  accent: 'ac-s-accent',
};
const AC_COLOR: Record<string, string> = {
  default: '',
  dark: '',
  light: ' ac-c-light',
  accent: ' ac-c-accent',
  good: ' ac-c-good',
  warning: ' ac-c-warning',
  attention: ' ac-c-attention',
};
const AC_SIZE: Record<string, string> = {
  small: ' ac-z-small',
  default: '',
  medium: ' ac-z-medium',
  large: ' ac-z-large',
  extralarge: ' ac-z-xlarge',
};
const AC_SPACING: Record<string, string> = {
  none: ' ac-sp-none',
  small: ' ac-sp-small',
  default: '',
  medium: ' ac-sp-medium',
  large: ' ac-sp-large',
  extralarge: ' ac-sp-large',
  padding: ' ac-sp-medium',
};
const AC_ALIGN: Record<string, string> = { left: '', center: ' ac-a-center', right: ' ac-a-right' };

const lower = (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : 'default');
const pick = (table: Record<string, string>, value: unknown) => table[lower(value)] ?? '';
const containerStyle = (value: unknown) => {
  const style = pick(AC_CONTAINER_STYLE, value);
  return style ? ` ${style}` : '';
};
const list = (value: unknown): Card[] =>
  Array.isArray(value) ? value.filter((v): v is Card => typeof v === 'object' && v !== null) : [];

/** The Markdown subset Teams renders in a TextBlock and a fact: **bold**, _italic_, [text](url), lists. */
function teamsMarkdown(text: unknown): string {
  const raw = String(text ?? '').replace(/[\uE000\uE001]/g, '');
  const links: string[] = [];
  const withoutLinks = raw.replace(/\[([^\]\n]+)\]\(([^)\s]+)\)/g, (_m, label: string, url: string) => {
    links.push(linkOrText(url, label));
    return `${OPEN}${links.length - 1}${CLOSE}`;
  });
  return restoreLinks(
    escapeHtml(withoutLinks, 20_000)
      .replace(/\*\*([^*\n]+)\*\*/g, '<b>$1</b>')
      .replace(/(^|[\s(])_([^_\n]+)_/g, '$1<i>$2</i>')
      .replace(/^[-*] (.*)$/gm, '• $1'),
    links,
  ).replace(/\n/g, '<br>');
}

function acClasses(element: Card, base: string): string {
  const separator = element.separator === true ? ' ac-separator' : '';
  return `${base}${pick(AC_SPACING, element.spacing)}${separator}`;
}

function acTextBlock(element: Card): string {
  const classes = [
    acClasses(element, 'ac-text'),
    pick(AC_SIZE, element.size),
    pick(AC_COLOR, element.color),
    pick(AC_ALIGN, element.horizontalAlignment),
    lower(element.weight) === 'bolder' ? ' ac-bold' : lower(element.weight) === 'lighter' ? ' ac-light' : '',
    element.isSubtle === true ? ' ac-subtle' : '',
    element.wrap === true ? '' : ' ac-nowrap',
  ].join('');
  return `<div class="${classes}">${teamsMarkdown(element.text)}</div>`;
}

function acFactSet(element: Card): string {
  const rows = list(element.facts)
    .map((fact) => `<tr><th>${teamsMarkdown(fact.title)}</th><td>${teamsMarkdown(fact.value)}</td></tr>`)
    .join('');
  return `<table class="${acClasses(element, 'ac-facts')}">${rows}</table>`;
}

function acColumnWidth(width: unknown): string {
  if (typeof width === 'number' && Number.isFinite(width) && width > 0)
    return `flex:${Math.min(width, 100)} 1 0`;
  if (typeof width === 'string' && /^\d{1,4}$/.test(width)) return `flex:${Math.min(Number(width), 100)} 1 0`;
  if (typeof width === 'string' && /^\d{1,4}px$/.test(width)) return `flex:0 0 ${width}`;
  if (lower(width) === 'auto') return 'flex:0 1 auto';
  return 'flex:1 1 0';
}

function acColumnSet(element: Card): string {
  const style = element.style === undefined ? '' : containerStyle(element.style);
  const columns = list(element.columns)
    .map((column) => {
      const columnStyle = column.style === undefined ? '' : containerStyle(column.style);
      return `<div class="ac-column${columnStyle}" style="${acColumnWidth(column.width)}">${acElements(column.items)}</div>`;
    })
    .join('');
  return `<div class="${acClasses(element, 'ac-columns')}${style}">${columns}</div>`;
}

function acContainer(element: Card): string {
  const style = element.style === undefined ? '' : containerStyle(element.style);
  const bleed = element.bleed === true ? ' ac-bleed' : '';
  return `<div class="${acClasses(element, 'ac-container')}${style}${bleed}">${acElements(element.items)}</div>`;
}

function acAction(action: Card): string {
  const title = escapeHtml(action.title ?? 'Open', 200);
  const style =
    lower(action.style) === 'positive'
      ? ' ac-positive'
      : lower(action.style) === 'destructive'
        ? ' ac-destructive'
        : '';
  const href = action.type === 'Action.OpenUrl' ? safeHref(action.url) : undefined;
  // Only links act in a preview; Submit, Execute, ShowCard are drawn but do nothing.
  return href
    ? `<a class="ac-action${style}" href="${href}">${title}</a>`
    : `<span class="ac-action ac-inert${style}">${title}</span>`;
}

function acActions(actions: unknown): string {
  const shown = list(actions);
  return shown.length > 0 ? `<div class="ac-actions">${shown.map(acAction).join('')}</div>` : '';
}

function acElement(element: Card): string {
  switch (element.type) {
    case 'TextBlock':
      return acTextBlock(element);
    case 'RichTextBlock':
      return `<div class="${acClasses(element, 'ac-text')}">${list(element.inlines)
        .map((run) => teamsMarkdown(run.text))
        .join('')}</div>`;
    case 'FactSet':
      return acFactSet(element);
    case 'ColumnSet':
      return acColumnSet(element);
    case 'Container':
      return acContainer(element);
    case 'ActionSet':
      return acActions(element.actions);
    case 'Image':
      // The report loads nothing from outside (CSP); an image is drawn as its place and alt text.
      return `<div class="${acClasses(element, 'ac-image')}">[image${element.altText ? `: ${escapeHtml(element.altText, 200)}` : ''}]</div>`;
    default:
      // Teams drops elements it does not know; the preview says so rather than hiding it.
      return `<div class="ac-unknown">(element ${escapeHtml(element.type ?? 'without type', 60)} is not shown by Teams)</div>`;
  }
}

function acElements(elements: unknown): string {
  return list(elements)
    .filter((element) => element.isVisible !== false)
    .map(acElement)
    .join('');
}

/** A Teams message (a Workflows webhook body carrying Adaptive Cards) as the Teams client draws it. */
export function teamsMessage(payload: Record<string, unknown>): string {
  const cards = list(payload.attachments)
    .filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')
    .map((a) => (typeof a.content === 'object' && a.content !== null ? (a.content as Card) : {}));
  if (cards.length === 0) {
    return `<pre class="plain">${escapeHtml(JSON.stringify(payload, null, 2), 20_000)}</pre>`;
  }
  const drawn = cards
    .map((card) => `<div class="ac-card">${acElements(card.body)}${acActions(card.actions)}</div>`)
    .join('');
  return `<div class="teams"><div class="tm-sender"><span class="tm-avatar">K</span><b>Klaxon</b> <span class="tm-via">via Workflows</span></div>${drawn}</div>`;
}

/** Plain text as a mail client shows it: wrapped, monospaced facts kept aligned, URLs linked. */
function plainTextBody(text: string): string {
  // A URL ends before trailing punctuation, as mail clients decide it.
  const parts = text.split(/(https?:\/\/[^\s<>"']*[^\s<>"'.,;:!?)\]])/g);
  return parts
    .map((part, index) => (index % 2 === 1 ? linkOrText(part, part) : escapeHtml(part, 100_000)))
    .join('');
}

/**
 * An email sent through SNS as a mail client shows it: sender, subject, the plain-text body, and the
 * unsubscribe footer SNS adds. Takes the email receiver's preview (`email`) or the sns receiver's (`message`).
 */
export function emailMessage(payload: Record<string, unknown>): string {
  const body = typeof payload.email === 'string' ? payload.email : payload.message;
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? '', null, 2);
  const topic = typeof payload.topicArn === 'string' ? payload.topicArn : '<the stack ops topic>';
  const topicName = topic.split(':').at(-1) ?? topic;
  return `<div class="mail">
<div class="mail-subject">${escapeHtml(payload.subject || '(no subject)', 200)}</div>
<div class="mail-from"><span class="mail-avatar">A</span><b>AWS Notifications</b> &lt;no-reply@sns.amazonaws.com&gt;<br><span class="mail-to">to subscribers of ${escapeHtml(topicName, 300)}</span></div>
<div class="mail-body">${plainTextBody(text)}</div>
<div class="mail-footer">--<br>If you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe: (link added by SNS)<br>Please do not reply directly to this email.</div>
</div>`;
}

/** One receiver's payload drawn as its client draws it; a type without a view is shown as text. */
export function receiverCard(
  format: ReceiverTraits['previewFormat'],
  payload: unknown,
  colour: string,
): string {
  const object = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
  if (format === 'block-kit') {
    // A Slack app's preview is the Web API call; the message is its body.
    const message =
      typeof object.body === 'object' && object.body !== null && !Array.isArray(object.body)
        ? (object.body as Record<string, unknown>)
        : object;
    return slackMessage(message, colour);
  }
  if (format === 'events-v2') return pagerDutyIncident(object);
  if (format === 'adaptive-card') return teamsMessage(object);
  if (format === 'email') return emailMessage(object);
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload, null, 2);
  return `<pre class="plain">${escapeHtml(text, 20_000)}</pre>`;
}

/** The styles of the receiver views (no external resource). */
export const CARD_STYLE = `
.slack{font-family:Lato,"Slack-Lato",-apple-system,Arial,sans-serif;background:#fff;border:1px solid #ddd;border-left:4px solid #888;border-radius:4px;padding:8px 12px;color:#1d1c1d}
.sl-app{margin-bottom:4px}.sl-avatar{display:inline-block;width:20px;height:20px;border-radius:4px;background:#4a154b;color:#fff;text-align:center;font-size:12px;margin-right:6px}
.sl-tag{font-size:10px;background:#eee;color:#616061;padding:0 3px;border-radius:2px}
.sl-header{font-size:18px;font-weight:900;margin:4px 0}.sl-section{margin:6px 0}.sl-fields{display:grid;grid-template-columns:1fr 1fr;gap:6px 16px;margin-top:6px}
.sl-actions{margin:8px 0}.sl-button{display:inline-block;border:1px solid #bbb;border-radius:4px;padding:3px 10px;margin-right:6px;color:#1d1c1d;text-decoration:none;font-weight:700;font-size:13px}
.sl-primary{background:#007a5a;color:#fff;border-color:#007a5a}.sl-danger{color:#e01e5a;border-color:#e01e5a}
.sl-context{font-size:12px;color:#616061}.sl-attachment{border-left:4px solid #888;padding-left:8px;margin:6px 0}
.slack code{background:#f8f8f8;border:1px solid #ddd;color:#e01e5a;padding:0 2px}
.pd{border:1px solid #d0d7de;border-radius:6px;padding:10px 12px;background:#fff}
.pd-head{font-size:12px}.pd-badge{color:#fff;background:#57606a;border-radius:3px;padding:1px 6px;font-weight:700}
.pd-critical{background:#d1242f}.pd-error{background:#e16f24}.pd-warning{background:#d4a72c}.pd-info{background:#2f81f7}
.pd-title{font-size:16px;font-weight:600;margin:6px 0;color:#048a24}.pd-meta{font-size:12px;color:#57606a}
.pd-link{font-size:12px;margin-right:8px}.pd-details{font-size:12px;border-collapse:collapse;margin-top:6px;width:100%}
.pd-details th{text-align:left;color:#57606a;padding:2px 8px 2px 0;vertical-align:top;white-space:nowrap}.pd-details td{word-break:break-word}
.teams{font-family:"Segoe UI",-apple-system,"Helvetica Neue",Arial,sans-serif;background:#f5f5f5;border-radius:6px;padding:8px 12px;color:#242424}
.tm-sender{font-size:12px;margin-bottom:6px}.tm-via{color:#616161}.tm-avatar{display:inline-block;width:20px;height:20px;border-radius:50%;background:#5b5fc7;color:#fff;text-align:center;font-size:12px;margin-right:6px}
.ac-card{background:#fff;border:1px solid #e0e0e0;border-radius:4px;box-shadow:0 1px 2px rgba(0,0,0,.12);padding:12px 16px;overflow:hidden}
.ac-text{font-size:14px;margin-top:8px;white-space:normal}.ac-nowrap{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.ac-z-small{font-size:12px}.ac-z-medium{font-size:17px}.ac-z-large{font-size:21px}.ac-z-xlarge{font-size:26px}
.ac-bold{font-weight:700}.ac-light{font-weight:300}.ac-subtle{opacity:.72}
.ac-c-accent{color:#4f52b2}.ac-c-good{color:#237b4b}.ac-c-warning{color:#835c00}.ac-c-attention{color:#c4314b}.ac-c-light{color:#fff}
.ac-a-center{text-align:center}.ac-a-right{text-align:right}
.ac-sp-none{margin-top:0}.ac-sp-small{margin-top:4px}.ac-sp-medium{margin-top:16px}.ac-sp-large{margin-top:24px}
.ac-separator{border-top:1px solid #e0e0e0;padding-top:8px}
.ac-container{margin-top:8px;padding:0}.ac-container>.ac-text:first-child{margin-top:0}
.ac-s-default,.ac-s-emphasis,.ac-s-good,.ac-s-attention,.ac-s-warning,.ac-s-accent{padding:10px 16px}
.ac-s-emphasis{background:#f5f5f5}.ac-s-good{background:#e7f2da}.ac-s-attention{background:#fcf4f6}.ac-s-warning{background:#fbf6d9}.ac-s-accent{background:#e8ebfa}
.ac-bleed{margin-left:-16px;margin-right:-16px}.ac-card>.ac-bleed:first-child{margin-top:-12px}
.ac-facts{border-collapse:collapse;margin-top:8px;font-size:14px}.ac-facts th{text-align:left;font-weight:700;padding:1px 12px 1px 0;vertical-align:top;white-space:nowrap}.ac-facts td{word-break:break-word}
.ac-columns{display:flex;gap:12px;margin-top:8px}.ac-column{min-width:0}
.ac-image{display:inline-block;border:1px dashed #bdbdbd;color:#616161;font-size:12px;padding:6px;margin-top:8px}
.ac-unknown{color:#616161;font-size:12px;font-style:italic;margin-top:8px}
.ac-actions{display:flex;flex-wrap:wrap;gap:8px;margin-top:12px}
.ac-action{display:inline-block;border:1px solid #d1d1d1;border-radius:4px;padding:5px 12px;color:#242424;background:#fff;text-decoration:none;font-weight:600;font-size:14px}
.ac-positive{background:#5b5fc7;color:#fff;border-color:#5b5fc7}.ac-destructive{color:#c4314b;border-color:#c4314b}.ac-inert{opacity:.6}
.mail{font-family:-apple-system,"Segoe UI",Roboto,Arial,sans-serif;background:#fff;border:1px solid #dadce0;border-radius:8px;padding:12px 16px;color:#202124}
.mail-subject{font-size:20px;margin-bottom:10px}.mail-from{font-size:13px;margin-bottom:12px}.mail-to{color:#5f6368;font-size:12px}
.mail-avatar{float:left;width:32px;height:32px;border-radius:50%;background:#ff9900;color:#fff;text-align:center;line-height:32px;margin-right:8px}
.mail-body{font:13px/1.5 ui-monospace,"Cascadia Mono",Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-word;clear:both}
.mail-footer{font-size:12px;color:#5f6368;margin-top:12px}
`;
