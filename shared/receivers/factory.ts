import type { Alert } from '../alert/alert';
import type { ReceiverConfig, SecretRef } from '../config/schema';
import { DeliveryError } from '../errors';
import { describeSecretRef, redactSecrets, type SecretResolver } from '../secrets/secrets';
import { checkStatus, type PostJson, retryAfterMillis } from './http';
import { PAGERDUTY_EVENTS_URL, renderPagerDutyEvent } from './pagerduty';
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from './retry';
import { renderSlackMessage } from './slack';
import type { DeliveryResult, Receiver } from './types';
import { isAllowedWebhookUrl, renderWebhookBody } from './webhook';

/** A clock receivers use for backoff; injected so tests need not wait. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** What receivers are built from. */
export interface ReceiverDeps {
  secrets: SecretResolver;
  post: PostJson;
  clock: Clock;
  retry?: RetryPolicy;
  /** Where the console receiver writes (the logger in Lambda, stdout in replays). */
  consoleSink: (alert: Alert, receiver: string) => void;
}

const DEFAULT_TIMEOUT_MS = 3_000;

interface HttpRequestPlan {
  url: string;
  body: unknown;
  headers?: Record<string, string>;
  secrets: string[];
}

class HttpJsonReceiver implements Receiver {
  constructor(
    readonly name: string,
    readonly type: ReceiverConfig['type'],
    private readonly what: string,
    private readonly okStatuses: readonly number[],
    private readonly timeoutMs: number,
    private readonly plan: (alert: Alert) => Promise<HttpRequestPlan>,
    readonly preview: (alert: Alert) => unknown,
    private readonly deps: ReceiverDeps,
  ) {}

  async send(alert: Alert): Promise<DeliveryResult> {
    let request: HttpRequestPlan;
    try {
      request = await this.plan(alert);
    } catch (error) {
      return this.result('failed', 0, { error: (error as Error).message, retryable: false });
    }
    const body = JSON.stringify(request.body);
    const outcome = await withRetry(
      async () => {
        const response = await this.deps.post(request.url, body, {
          timeoutMs: this.timeoutMs,
          headers: request.headers,
        });
        try {
          checkStatus(response, this.what, this.okStatuses);
        } catch (error) {
          const failure = error as DeliveryError;
          throw new DeliveryError(failure.message, failure.retryable, failure.status, {
            retryAfterMs: retryAfterMillis(response.headers.get('retry-after'), this.deps.clock.now()),
          });
        }
        return response.status;
      },
      this.deps.retry ?? DEFAULT_RETRY,
      this.deps.clock,
    );
    if (outcome.value !== undefined)
      return this.result('delivered', outcome.attempts, { status: outcome.value });
    return this.result('failed', outcome.attempts, {
      status: outcome.error?.status,
      error: redactSecrets(outcome.error?.message ?? 'unknown failure', request.secrets),
      retryable: outcome.error?.retryable,
    });
  }

  private result(
    outcome: DeliveryResult['outcome'],
    attempts: number,
    extra: Partial<DeliveryResult>,
  ): DeliveryResult {
    return { receiver: this.name, type: this.type, outcome, attempts, ...extra };
  }
}

function placeholder(ref: SecretRef): string {
  return `<secret ${describeSecretRef(ref)}>`;
}

/** Builds the receiver named `name` from its configuration. */
export function createReceiver(name: string, config: ReceiverConfig, deps: ReceiverDeps): Receiver {
  switch (config.type) {
    case 'pagerduty':
      return new HttpJsonReceiver(
        name,
        'pagerduty',
        'PagerDuty',
        [200, 202],
        config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        async (alert) => {
          const routingKey = await deps.secrets.resolve(config.routingKey);
          return {
            url: config.url ?? PAGERDUTY_EVENTS_URL,
            body: renderPagerDutyEvent(alert, routingKey),
            secrets: [routingKey],
          };
        },
        (alert) => renderPagerDutyEvent(alert, placeholder(config.routingKey)),
        deps,
      );
    case 'slack':
      return new HttpJsonReceiver(
        name,
        'slack',
        'Slack',
        [200],
        config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        async (alert) => {
          const url = await deps.secrets.resolve(config.webhookUrl);
          return { url, body: renderSlackMessage(alert), secrets: [url] };
        },
        (alert) => renderSlackMessage(alert),
        deps,
      );
    case 'webhook':
      return new HttpJsonReceiver(
        name,
        'webhook',
        `webhook ${name}`,
        [200, 201, 202, 204],
        config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        async (alert) => {
          const url = await deps.secrets.resolve(config.url);
          if (!isAllowedWebhookUrl(url)) {
            throw new DeliveryError(
              `webhook ${name}: ${describeSecretRef(config.url)} must be an https URL (plain http only to loopback)`,
              false,
            );
          }
          const secrets = [url];
          const headers: Record<string, string> = {};
          if (config.secretHeader) {
            const value = await deps.secrets.resolve(config.secretHeader.value);
            headers[config.secretHeader.name] = value;
            secrets.push(value);
          }
          return { url, body: renderWebhookBody(alert, name), headers, secrets };
        },
        (alert) => renderWebhookBody(alert, name),
        deps,
      );
    case 'console':
      return {
        name,
        type: 'console',
        preview: (alert) => renderWebhookBody(alert, name),
        send: async (alert) => {
          deps.consoleSink(alert, name);
          return { receiver: name, type: 'console', outcome: 'delivered', attempts: 1 };
        },
      };
  }
}

/** Builds every configured receiver once (per cold start). */
export function createReceivers(
  receivers: Readonly<Record<string, ReceiverConfig>>,
  deps: ReceiverDeps,
): Map<string, Receiver> {
  return new Map(
    Object.entries(receivers).map(([name, config]) => [name, createReceiver(name, config, deps)]),
  );
}
