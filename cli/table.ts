import type { ProcessResult } from '../shared/pipeline';
import { alertName } from '../shared/alert/name';

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** Renders replay results as a readable table: one block per file, one line per alert, the reason last. */
export function renderTable(rows: ReadonlyArray<{ file: string; result: ProcessResult }>): string {
  const lines: string[] = [];
  for (const { file, result } of rows) {
    lines.push(`${file}  →  ${result.outcome.toUpperCase()}`);
    for (const outcome of result.alerts) {
      const { decision } = outcome;
      const { alert } = decision;
      const name = alertName(alert.labels, alert.fingerprint);
      const target = decision.suppressed
        ? `suppressed: ${decision.suppressed}`
        : `${decision.routes.join(' + ')} → ${decision.receivers.join(', ') || '(no receiver)'}`;
      lines.push(
        `    ${pad(alert.severity, 8)} ${pad(alert.status, 8)} ${pad(name, 34)} ${pad(alert.labels.region, 14)} ${target}`,
      );
      lines.push(`             why: severity from ${decision.severitySource}; ${alert.annotations.summary}`);
      for (const skipped of decision.skipped)
        lines.push(`             skipped ${skipped.receiver}: ${skipped.reason}`);
      const remediation = outcome.remediation;
      if (remediation) {
        lines.push(
          `             remediation ${remediation.rule} (mode ${remediation.mode}): ${remediation.outcome}${remediation.executionId ? ` ${remediation.executionId}` : ''} — ${remediation.reason ?? remediation.action}`,
        );
      }
      for (const delivery of outcome.deliveries) {
        if (delivery.outcome === 'dry-run') continue;
        lines.push(
          `             ${delivery.receiver}: ${delivery.outcome}${delivery.status ? ` (HTTP ${delivery.status})` : ''}${delivery.error ? ` — ${delivery.error}` : ''}`,
        );
      }
    }
    for (const error of result.errors) lines.push(`    invalid record ${error.record}: ${error.error}`);
    for (const ignored of result.ignored)
      lines.push(`    ignored record ${ignored.record}: ${ignored.reason}`);
    for (const notice of result.notices)
      lines.push(`    notice → ${notice.receivers.join(', ')}: "unrecognized event" reported`);
  }
  return `${lines.join('\n')}\n`;
}
