import type { Alert } from '../../alert/alert';
import type { AlertGroup } from '../types';

/** The body of the generic JSON webhook: the canonical alert minus the raw event (version 1, additive changes only). */
export function renderWebhookBody(alert: Alert, receiver: string): Record<string, unknown> {
  return {
    version: '1',
    receiver,
    status: alert.status,
    severity: alert.severity,
    fingerprint: alert.fingerprint,
    transitionId: alert.transitionId,
    labels: alert.labels,
    annotations: alert.annotations,
    links: alert.links,
    startsAt: alert.startsAt,
    observedAt: alert.observedAt,
  };
}

/** The body of the generic JSON webhook for a group: the shared labels and every alert (version 1). */
export function renderWebhookGroupBody(group: AlertGroup, receiver: string): Record<string, unknown> {
  return {
    version: '1',
    receiver,
    group: { route: group.route, labels: group.labels, status: group.status, size: group.alerts.length },
    alerts: group.alerts.map((alert) => renderWebhookBody(alert, receiver)),
  };
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Webhooks must use HTTPS; plain HTTP is allowed only to loopback (local tests and replays). */
export function isAllowedWebhookUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && (LOOPBACK_HOSTS.has(url.hostname) || url.hostname.startsWith('127.'));
}
