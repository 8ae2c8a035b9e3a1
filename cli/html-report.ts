import type { ReceiverConfig } from '../shared/config/schema';
import type { AlertOutcome, ProcessResult } from '../shared/pipeline';
import { findReceiverDescriptor } from '../shared/receivers/lookup';

/** One replayed file, as `klaxon replay --html` shows it. */
export interface ReportRow {
  file: string;
  result: ProcessResult;
}

const MAX_TEXT = 4_000;

/** Escapes text for HTML (element content and quoted attributes), cut to a readable length. */
export function escapeHtml(value: unknown, max = MAX_TEXT): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const cut = text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
  return cut.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** Only http(s) links are clickable; anything else (javascript:, data:) is shown as text. */
function safeHref(url: unknown): string | undefined {
  return typeof url === 'string' && /^https?:\/\//i.test(url) ? escapeHtml(url, 2_000) : undefined;
}

const EMOJI: Record<string, string> = {
  ':red_circle:': '🔴',
  ':large_orange_circle:': '🟠',
  ':large_yellow_circle:': '🟡',
  ':large_blue_circle:': '🔵',
  ':white_check_mark:': '✅',
  ':warning:': '⚠️',
  ':rotating_light:': '🚨',
  ':grey_question:': '❔',
};

/** Slack mrkdwn as Slack draws it: *bold*, _italic_, `code`, <url|text>, emoji, line breaks. */
function mrkdwn(text: unknown): string {
  // Slack payloads carry &amp; &lt; &gt; already escaped; undo that first, then escape once.
  const raw = String(text ?? '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  const links: string[] = [];
  const withoutLinks = raw.replace(/<([^|>\s]+)(?:\|([^>]*))?>/g, (_m, url: string, label?: string) => {
    const href = safeHref(url);
    links.push(href ? `<a href="${href}">${escapeHtml(label ?? url)}</a>` : escapeHtml(label ?? url));
    return `\uE000${links.length - 1}\uE001`;
  });
  return escapeHtml(withoutLinks)
    .replace(/:[a-z_]+:/g, (code) => EMOJI[code] ?? code)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/(^|[\s(])\*([^*\n]+)\*/g, '$1<b>$2</b>')
    .replace(/(^|[\s(])_([^_\n]+)_/g, '$1<i>$2</i>')
    .replace(/\uE000(\d+)\uE001/g, (_m, index: string) => links[Number(index)] ?? '')
    .replace(/\n/g, '<br>');
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

const SEVERITY_COLOUR: Record<string, string> = {
  critical: '#d1242f',
  error: '#e16f24',
  warning: '#d4a72c',
  info: '#2f81f7',
};

function slackMessage(payload: Record<string, unknown>, colour: string): string {
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

function pagerDutyIncident(payload: Record<string, unknown>): string {
  const inner = (payload.payload ?? {}) as Record<string, unknown>;
  const links = Array.isArray(payload.links)
    ? (payload.links as Array<{ href?: string; text?: string }>)
    : [];
  const details = inner.custom_details as Record<string, unknown> | undefined;
  const rows = Object.entries(details ?? {})
    .filter(([key]) => key !== 'labels')
    .map(([key, value]) => `<tr><th>${escapeHtml(key)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join('');
  const severity = escapeHtml(inner.severity ?? '');
  return `<div class="pd">
<div class="pd-head"><span class="pd-badge pd-${severity}">${severity.toUpperCase() || 'EVENT'}</span> <span class="pd-action">${escapeHtml(payload.event_action ?? '')}</span></div>
<div class="pd-title">${escapeHtml(inner.summary ?? '(no summary)')}</div>
<div class="pd-meta">source ${escapeHtml(inner.source ?? '')} · component ${escapeHtml(inner.component ?? '')} · group ${escapeHtml(inner.group ?? '')}</div>
<div class="pd-meta">dedup key ${escapeHtml(payload.dedup_key ?? '')}</div>
${links.map((l) => (safeHref(l.href) ? `<a class="pd-link" href="${safeHref(l.href)}">${escapeHtml(l.text ?? l.href)}</a>` : '')).join(' ')}
${rows ? `<table class="pd-details">${rows}</table>` : ''}
</div>`;
}

function receiverView(name: string, type: string, payload: unknown, colour: string): string {
  const title = `<div class="rcv-title">${escapeHtml(name)} <span class="rcv-type">${escapeHtml(type)}</span></div>`;
  const object = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
  const format = findReceiverDescriptor(type)?.previewFormat;
  if (format === 'block-kit') {
    // A Slack app's preview is the Web API call; the message is its body.
    const message =
      typeof object.body === 'object' && object.body !== null && !Array.isArray(object.body)
        ? (object.body as Record<string, unknown>)
        : object;
    return `<div class="rcv">${title}${slackMessage(message, colour)}</div>`;
  }
  if (format === 'events-v2') return `<div class="rcv">${title}${pagerDutyIncident(object)}</div>`;
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload, null, 2);
  return `<div class="rcv">${title}<pre class="plain">${escapeHtml(text, 20_000)}</pre></div>`;
}

function alertView(outcome: AlertOutcome, types: Record<string, string>): string {
  const { decision } = outcome;
  const { alert } = decision;
  const colour = alert.status === 'resolved' ? '#2da44e' : (SEVERITY_COLOUR[alert.severity] ?? '#8c959f');
  const why = [
    `severity ${escapeHtml(alert.severity)} (${escapeHtml(decision.severitySource)})`,
    `routes: ${decision.routes.map((r) => `<code>${escapeHtml(r)}</code>`).join(' → ') || 'none'}`,
    `receivers: ${decision.suppressed ? 'none' : decision.receivers.map((r) => escapeHtml(r)).join(', ') || 'none'}`,
  ];
  const suppressed = decision.suppressed
    ? `<div class="suppressed">Suppressed: ${escapeHtml(decision.suppressed)}</div>`
    : '';
  const skipped = decision.skipped
    .map((s) => `<li>left out ${escapeHtml(s.receiver)}: ${escapeHtml(s.reason)}</li>`)
    .join('');
  const remediation = outcome.remediation
    ? `<div class="remediation">Remediation: ${escapeHtml(JSON.stringify(outcome.remediation))}</div>`
    : '';
  const labels = Object.entries(alert.labels)
    .map(([k, v]) => `<span class="label">${escapeHtml(k)}=${escapeHtml(v, 200)}</span>`)
    .join(' ');
  const receivers = Object.entries(outcome.payloads)
    .map(([name, payload]) => receiverView(name, types[name] ?? 'unknown', payload, colour))
    .join('');
  return `<div class="alert" style="border-left-color:${colour}">
<div class="alert-title"><span class="status">${escapeHtml(alert.status)}</span> ${escapeHtml(alert.annotations.summary ?? alert.fingerprint)}</div>
<ul class="why">${why.map((w) => `<li>${w}</li>`).join('')}${skipped}</ul>
${suppressed}${remediation}
<details><summary>labels</summary><div class="labels">${labels}</div></details>
<div class="receivers">${receivers}</div>
</div>`;
}

function rowView(row: ReportRow, index: number, types: Record<string, string>): string {
  const { result } = row;
  const body =
    result.outcome === 'invalid'
      ? `<div class="invalid">Invalid input: ${escapeHtml(result.error ?? 'unknown error')}</div>`
      : result.outcome === 'ignored'
        ? `<div class="ignored">Ignored: ${escapeHtml(result.ignored.map((i) => i.reason).join('; ') || 'nothing to alert on')}</div>`
        : '';
  const notices = result.notices
    .map(
      (n) =>
        `<div class="notice">Notice to ${escapeHtml(n.receivers.join(', '))}: ${escapeHtml(n.reason)}</div>`,
    )
    .join('');
  return `<section class="event" id="e${index}">
<h2><a href="#e${index}">${escapeHtml(row.file, 500)}</a> <span class="outcome outcome-${result.outcome}">${result.outcome}</span></h2>
${body}${notices}${result.alerts.map((a) => alertView(a, types)).join('')}
</section>`;
}

const STYLE = `
body{font:14px/1.45 -apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;margin:0;background:#f6f8fa;color:#1f2328}
header{background:#24292f;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}
main{padding:16px 24px;max-width:1200px;overflow-wrap:anywhere}
.event{background:#fff;border:1px solid #d0d7de;border-radius:8px;margin:16px 0;padding:12px 16px}
.event h2{font-size:15px;margin:0 0 8px}.event h2 a{color:inherit;text-decoration:none}
.outcome{font-size:12px;border-radius:10px;padding:1px 8px;background:#eaeef2}.outcome-alerts{background:#ffebe9}.outcome-invalid{background:#fff8c5}
.alert{border-left:5px solid #8c959f;padding:4px 12px;margin:10px 0}
.alert-title{font-weight:600}.status{text-transform:uppercase;font-size:11px;background:#eaeef2;border-radius:4px;padding:1px 5px}
.why{margin:4px 0;padding-left:18px}.suppressed{color:#9a6700;font-weight:600}
.labels{font:12px ui-monospace,monospace}.label{display:inline-block;background:#f6f8fa;border:1px solid #d0d7de;border-radius:4px;margin:2px;padding:0 4px}
.receivers{display:flex;flex-wrap:wrap;gap:12px}.rcv{flex:1 1 460px;min-width:0}
.rcv-title{font-weight:600;margin:6px 0}.rcv-type{font-weight:400;font-size:12px;color:#57606a}
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
.plain{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:8px;white-space:pre-wrap;word-break:break-word;font-size:12px;max-height:360px;overflow:auto}
.invalid,.ignored,.notice{color:#57606a}
`;

/** One self-contained HTML page (no script, no external resource) of a replay: decisions and receiver views. */
export function renderHtmlReport(
  rows: ReportRow[],
  receivers: Readonly<Record<string, ReceiverConfig>>,
  title = 'Klaxon replay',
): string {
  const types = Object.fromEntries(Object.entries(receivers).map(([name, r]) => [name, r.type]));
  const count = (outcome: ProcessResult['outcome']) =>
    rows.filter((r) => r.result.outcome === outcome).length;
  const summary = `${rows.length} events: ${count('alerts')} with alerts, ${count('ignored')} ignored, ${count('invalid')} invalid. Nothing was sent.`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><header><h1>${escapeHtml(title)}</h1><div>${escapeHtml(summary)}</div></header>
<main>${rows.map((row, index) => rowView(row, index, types)).join('\n')}</main></body></html>
`;
}
