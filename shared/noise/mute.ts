import type { Alert } from '../alert/alert';
import type { StateStore } from '../state/store';
import type { SuppressionKind } from './record';

/** One reason an alert is muted right now. */
export interface Mute {
  kind: Extract<SuppressionKind, 'silence' | 'window' | 'inhibition'>;
  /** Identity of the mute occurrence: `silence:<id>`, `window:<name>#<end>`, `inhibit:<rule>#<labels>`. */
  key: string;
  reason: string;
  by: string;
  /** When it ends, if known (silences with an end, window occurrences). */
  until?: number;
  summaryReceiver?: string;
}

/** One kind of mute (silences, maintenance windows, inhibition): the mutes of its kind in force for an alert. */
export interface Muter {
  mutes(
    alert: Alert,
    labels: Record<string, string>,
    now: number,
    store: StateStore | undefined,
  ): Promise<Mute[]>;
}

/** The labels routes, silences and windows match on: the alert's labels plus severity and status. */
export function matchLabels(alert: Alert): Record<string, string> {
  return { ...alert.labels, severity: alert.severity, status: alert.status };
}
