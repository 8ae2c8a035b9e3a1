import type { Alert } from '../alert/alert';

/**
 * What happened to one delivery: sent (`delivered`), given up on (`failed`, then dead-lettered),
 * previewed (`dry-run`), skipped because it already went out or is going out (`duplicate`), handed to
 * the durable retry queue (`queued`), or added to a notification group sent later (`grouped`).
 */
export type DeliveryOutcome = 'delivered' | 'failed' | 'dry-run' | 'duplicate' | 'queued' | 'grouped';

/** The result of handing one alert to one receiver. */
export interface DeliveryResult {
  receiver: string;
  /** The receiver's type (a registered type's name: shared/receivers/registry.ts). */
  type: string;
  outcome: DeliveryOutcome;
  attempts: number;
  status?: number;
  /** Why it failed; never contains a secret. */
  error?: string;
  retryable?: boolean;
  /** How long the destination asked us to wait before trying again. */
  retryAfterMs?: number;
  /**
   * Group messages this delivery changed (a member resolved or fired again), by the receiver's own
   * reference: the dispatcher has each edited later by an `update-group` job, coalesced per second.
   */
  groupUpdates?: string[];
}

/** Alerts sent together as one message (a storm grouped by labels within a window). */
export interface AlertGroup {
  /** The route that grouped them and the label values they share. */
  route: string;
  labels: Record<string, string>;
  status: Alert['status'];
  alerts: Alert[];
  /** How many alerts the group holds when `alerts` lists only the first of them (a storm). */
  total?: number;
  /** The group's key in the state table (its members can be read again there), when it has one. */
  key?: string;
}

/** The one-method port every notification destination implements (plus a secret-free preview for dry runs). */
export interface Receiver {
  readonly name: string;
  /** The receiver's type (a registered type's name: shared/receivers/registry.ts). */
  readonly type: string;
  /** The exact request body this receiver would send, with secrets replaced by their references. */
  preview(alert: Alert): unknown;
  /** Delivers the alert, retrying what is retryable within `budgetMs`; never throws. */
  send(alert: Alert, budgetMs?: number): Promise<DeliveryResult>;
  /** Receivers that can list many alerts in one message implement grouping; pagers do not. */
  sendGroup?(group: AlertGroup, budgetMs?: number): Promise<DeliveryResult>;
  /**
   * Edits a group message it posted earlier (a reference from `DeliveryResult.groupUpdates`) to show
   * its members as they are now; never throws.
   */
  updateGroup?(ref: string, budgetMs?: number): Promise<DeliveryResult>;
  /** The exact body a group would be sent as (secrets replaced by references). */
  previewGroup?(group: AlertGroup): unknown;
  /** Posts a message rendered ahead of time (the digest), in the form its descriptor names; never throws. */
  sendPrepared?(message: PreparedMessage, budgetMs?: number): Promise<DeliveryResult>;
}

/** One message rendered for each kind of destination; each receiver posts the form it takes. */
export interface PreparedMessage {
  /** The Slack incoming-webhook body (Block Kit). */
  slack: unknown;
  /** The JSON document a webhook receiver posts. */
  json: unknown;
  /** Plain text, for the console receiver. */
  text: string;
}
