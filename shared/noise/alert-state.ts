import type { Alert } from '../alert/alert';
import type { Decision } from '../routing/decide';

/** What Klaxon remembers about an alert's latest transition (`record#alert#<fingerprint>`). */
export interface AlertState {
  status: Alert['status'];
  transitionId: string;
  at: number;
  alert: Alert;
  /** Receivers the routes chose, whether or not it was delivered. */
  receivers: string[];
  groups: Decision['groups'];
  notified: boolean;
  repeat?: { intervalMs: number; receivers: string[] };
}

/** The state-table record key of an alert's latest transition. */
export function alertStateKey(fingerprint: string): string {
  return `alert#${fingerprint}`;
}
