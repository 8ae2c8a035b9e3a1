import type { Alert } from '../../alert/alert';
import { utf8Bytes } from '../../alert/caps';
import { fitAlert, MEMBER_MAX_BYTES } from '../../alert/fit';
import type { AlertGroup } from '../types';

/** The most a webhook body may take (UTF-8 bytes of JSON): 256 KB, what most HTTP intakes accept. */
export const WEBHOOK_BODY_MAX_BYTES = 256 * 1024;

/** The body of the generic JSON webhook: the canonical alert minus the raw event (version 1, additive changes only). */
export function renderWebhookBody(whole: Alert, receiver: string): Record<string, unknown> {
  const alert = fitAlert(whole, MEMBER_MAX_BYTES);
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

/**
 * The body of the generic JSON webhook for a group: the shared labels and its alerts (version 1), as
 * many as fit WEBHOOK_BODY_MAX_BYTES; `size` counts every alert of the group, `listed` those in the body.
 */
export function renderWebhookGroupBody(group: AlertGroup, receiver: string): Record<string, unknown> {
  const size = Math.max(group.total ?? 0, group.alerts.length);
  const bodies = group.alerts.map((alert) => renderWebhookBody(alert, receiver));
  const head = { route: group.route, labels: group.labels, status: group.status, size };
  let bytes = utf8Bytes(JSON.stringify({ version: '1', receiver, group: head, alerts: [] })) + 32;
  let listed = 0;
  for (const body of bodies) {
    const next = utf8Bytes(JSON.stringify(body)) + 1;
    if (listed > 0 && bytes + next > WEBHOOK_BODY_MAX_BYTES) break;
    bytes += next;
    listed += 1;
  }
  return {
    version: '1',
    receiver,
    group: { ...head, ...(listed < size ? { listed } : {}) },
    alerts: bodies.slice(0, listed),
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
