import type { Alert } from '../alert/alert';
import type { ReceiverConfig } from '../config/schema';

/** What happened to one delivery. */
export type DeliveryOutcome = 'delivered' | 'failed' | 'dry-run';

/** The result of handing one alert to one receiver. */
export interface DeliveryResult {
  receiver: string;
  type: ReceiverConfig['type'];
  outcome: DeliveryOutcome;
  attempts: number;
  status?: number;
  /** Why it failed; never contains a secret. */
  error?: string;
  retryable?: boolean;
}

/** The one-method port every notification destination implements (plus a secret-free preview for dry runs). */
export interface Receiver {
  readonly name: string;
  readonly type: ReceiverConfig['type'];
  /** The exact request body this receiver would send, with secrets replaced by their references. */
  preview(alert: Alert): unknown;
  /** Delivers the alert, retrying what is retryable; never throws. */
  send(alert: Alert): Promise<DeliveryResult>;
}
