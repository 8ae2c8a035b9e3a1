import type { Alert } from '../../alert/alert';
import type { AlertGroup } from '../types';
import { truncate } from '../text';

/** SNS subjects must be ASCII, without line breaks, under 100 characters. */
export function snsSubject(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]/g, '_').trim() || 'Klaxon alert';
  // The usual truncation marker is not ASCII, and SNS refuses such a subject: cut with dots.
  return ascii.length <= 99 ? ascii : `${ascii.slice(0, 96)}...`;
}

/** Renders an alert as a plain-text SNS message that reads well in an email or SMS. */
export function renderSnsMessage(alert: Alert): { subject: string; message: string } {
  const lines = [
    alert.annotations.summary,
    '',
    `Severity: ${alert.severity}   Status: ${alert.status}`,
    `Account: ${alert.labels.account}   Region: ${alert.labels.region}`,
    alert.annotations.reason ? `Reason: ${alert.annotations.reason}` : undefined,
    alert.annotations.runbookUrl ? `Runbook: ${alert.annotations.runbookUrl}` : undefined,
    alert.annotations.consoleUrl ? `Console: ${alert.annotations.consoleUrl}` : undefined,
    `Fingerprint: ${alert.fingerprint}`,
  ].filter((line): line is string => line !== undefined);
  return {
    subject: snsSubject(
      `[${alert.severity.toUpperCase()}] ${alert.labels.alarmName ?? alert.annotations.summary}`,
    ),
    message: truncate(lines.join('\n'), 200_000),
  };
}

/** Renders a group of alerts as one plain-text SNS message. */
export function renderSnsGroupMessage(group: AlertGroup): { subject: string; message: string } {
  const shared = Object.entries(group.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const lines = group.alerts.map((a) => `- [${a.severity}] ${a.annotations.summary}`);
  const count = Math.max(group.total ?? 0, group.alerts.length);
  if (count > group.alerts.length) lines.push(`…and ${count - group.alerts.length} more`);
  return {
    subject: snsSubject(`${count} alerts ${group.status} (${shared})`),
    message: truncate(
      [`${count} alerts ${group.status}, grouped by ${shared}:`, ...lines].join('\n'),
      200_000,
    ),
  };
}
