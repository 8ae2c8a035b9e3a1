import type { Alert } from '../alert/alert';
import type { SecretRef } from '../config/primitives';
import { DeliveryError } from '../errors';
import { describeSecretRef, redactSecrets } from '../secrets/secrets';
import type { ReceiverDeps } from './context';
import type { ReceiverTraits } from './descriptor';
import { checkStatus, retryAfterMillis } from './http';
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from './retry';
import type { AlertGroup, DeliveryResult, PreparedMessage, Receiver } from './types';

/** The per-request timeout of HTTP receivers that do not set `timeoutMs`. */
export const DEFAULT_TIMEOUT_MS = 3_000;

/** One HTTP request, its secrets listed so that failures can be redacted. */
export interface HttpRequestPlan {
  url: string;
  body: unknown;
  headers?: Record<string, string>;
  secrets: string[];
}

/** What an HTTP receiver sends: one alert, a group, or a prepared message already in its form. */
export type Payload =
  | { kind: 'alert'; alert: Alert }
  | { kind: 'group'; group: AlertGroup }
  | { kind: 'prepared'; body: unknown };

/** How one HTTP receiver type talks to its destination. */
export interface HttpReceiverSpec {
  name: string;
  type: Receiver['type'];
  /** How errors name the destination, e.g. `Slack`. */
  what: string;
  okStatuses: readonly number[];
  timeoutMs: number;
  /** Resolves the secrets and returns the request for a payload. */
  plan(payload: Payload): Promise<HttpRequestPlan>;
  /** The body a payload would be sent as, secrets replaced by their references. */
  preview(payload: Payload): unknown;
  /** Whether it sends groups and which prepared form it posts, as its descriptor declares. */
  traits: Pick<ReceiverTraits, 'groups' | 'prepared'>;
}

/** Builds a delivery result of `receiver`. */
export function deliveryResult(
  receiver: Receiver,
  outcome: DeliveryResult['outcome'],
  attempts: number,
  extra: Partial<DeliveryResult> = {},
): DeliveryResult {
  return { receiver: receiver.name, type: receiver.type, outcome, attempts, ...extra };
}

/** What a preview shows in place of a secret. */
export function secretPlaceholder(ref: SecretRef): string {
  return `<secret ${describeSecretRef(ref)}>`;
}

function policyWithin(deps: ReceiverDeps, budgetMs: number | undefined): RetryPolicy {
  const policy = deps.retry ?? DEFAULT_RETRY;
  return budgetMs === undefined
    ? policy
    : { ...policy, budgetMs: Math.max(0, Math.min(policy.budgetMs, budgetMs)) };
}

/** The sender every JSON-over-HTTP receiver type shares: secrets, retries, Retry-After, redaction. */
export class HttpJsonReceiver implements Receiver {
  readonly name: string;
  readonly type: Receiver['type'];
  readonly sendGroup?: (group: AlertGroup, budgetMs?: number) => Promise<DeliveryResult>;
  readonly previewGroup?: (group: AlertGroup) => unknown;
  readonly sendPrepared?: (message: PreparedMessage, budgetMs?: number) => Promise<DeliveryResult>;

  constructor(
    private readonly spec: HttpReceiverSpec,
    private readonly deps: ReceiverDeps,
  ) {
    this.name = spec.name;
    this.type = spec.type;
    if (spec.traits.groups) {
      this.sendGroup = (group, budgetMs) => this.deliver({ kind: 'group', group }, budgetMs);
      this.previewGroup = (group) => spec.preview({ kind: 'group', group });
    }
    const form = spec.traits.prepared;
    if (form) {
      this.sendPrepared = (message, budgetMs) =>
        this.deliver({ kind: 'prepared', body: message[form] }, budgetMs);
    }
  }

  preview(alert: Alert): unknown {
    return this.spec.preview({ kind: 'alert', alert });
  }

  send(alert: Alert, budgetMs?: number): Promise<DeliveryResult> {
    return this.deliver({ kind: 'alert', alert }, budgetMs);
  }

  private async deliver(payload: Payload, budgetMs: number | undefined): Promise<DeliveryResult> {
    let request: HttpRequestPlan;
    try {
      request = await this.spec.plan(payload);
    } catch (error) {
      // Unreadable secrets and bad URLs are configuration faults: retrying cannot help.
      return deliveryResult(this, 'failed', 0, { error: (error as Error).message, retryable: false });
    }
    const body = JSON.stringify(request.body);
    const outcome = await withRetry(
      async () => {
        const response = await this.deps.post(request.url, body, {
          timeoutMs: this.spec.timeoutMs,
          headers: request.headers,
        });
        try {
          checkStatus(response, this.spec.what, this.spec.okStatuses);
        } catch (error) {
          const failure = error as DeliveryError;
          throw new DeliveryError(failure.message, failure.retryable, failure.status, {
            retryAfterMs: retryAfterMillis(response.headers.get('retry-after'), this.deps.clock.now()),
          });
        }
        return response.status;
      },
      policyWithin(this.deps, budgetMs),
      this.deps.clock,
    );
    if (outcome.value !== undefined)
      return deliveryResult(this, 'delivered', outcome.attempts, { status: outcome.value });
    return deliveryResult(this, 'failed', outcome.attempts, {
      status: outcome.error?.status,
      error: redactSecrets(outcome.error?.message ?? 'unknown failure', request.secrets),
      retryable: outcome.error?.retryable,
      retryAfterMs: outcome.error?.retryAfterMs,
    });
  }
}
