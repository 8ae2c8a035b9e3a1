import type { ReceiverConfig } from '../shared/config/schema';
import type { AlertOutcome, ProcessResult } from '../shared/pipeline';
import { findReceiverDescriptor } from '../shared/receivers/lookup';
import { CARD_STYLE, receiverCard } from './html-cards';
import { escapeHtml } from './html-escape';

/** One replayed file, as `klaxon replay --html` shows it. */
export interface ReportRow {
  file: string;
  result: ProcessResult;
}

const SEVERITY_COLOUR: Record<string, string> = {
  critical: '#d1242f',
  error: '#e16f24',
  warning: '#d4a72c',
  info: '#2f81f7',
};

function receiverView(name: string, type: string, payload: unknown, colour: string): string {
  const title = `<div class="rcv-title">${escapeHtml(name)} <span class="rcv-type">${escapeHtml(type)}</span></div>`;
  const format = findReceiverDescriptor(type)?.previewFormat;
  return `<div class="rcv">${title}${receiverCard(format, payload, colour)}</div>`;
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
<title>${escapeHtml(title)}</title><style>${STYLE}${CARD_STYLE}</style></head>
<body><header><h1>${escapeHtml(title)}</h1><div>${escapeHtml(summary)}</div></header>
<main>${rows.map((row, index) => rowView(row, index, types)).join('\n')}</main></body></html>
`;
}
