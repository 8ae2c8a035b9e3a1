import type { Alert } from '../alert/alert';
import type { ReceiverConfig, SecretRef } from '../config/schema';
import { DeliveryError } from '../errors';
import { describeSecretRef, redactSecrets, type SecretResolver } from '../secrets/secrets';
import { checkStatus, type PostJson, retryAfterMillis } from './http';
import { PAGERDUTY_EVENTS_URL, renderPagerDutyEvent } from './pagerduty';
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from './retry';
import { renderSlackGroupMessage, renderSlackMessage } from './slack';
import { renderSnsGroupMessage, renderSnsMessage, type SnsPublish } from './sns';
import type { AlertGroup, DeliveryResult, PreparedMessage, Receiver } from './types';
import { isAllowedWebhookUrl, renderWebhookBody, renderWebhookGroupBody } from './webhook';

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
  /** Publishes to SNS (the `sns` receiver); absent where no SNS client exists. */
  publish?: SnsPublish;
  /** The stack's own ops topic, used by `sns` receivers without a `topicArn`. */
  opsTopicArn?: string;
  /** Where the console receiver writes (the logger in Lambda, stdout in replays). */
  consoleSink: (alert: Alert, receiver: string) => void;
  /** Where the console receiver writes a prepared message (the digest); absent: it cannot post one. */
  consoleText?: (text: string, receiver: string) => void;
}

const DEFAULT_TIMEOUT_MS = 3_000;

interface HttpRequestPlan {
  url: string;
  body: unknown;
  headers?: Record<string, string>;
  secrets: string[];
}

type Payload =
  | { kind: 'alert'; alert: Alert }
  | { kind: 'group'; group: AlertGroup }
  | { kind: 'prepared'; message: PreparedMessage };

function result(
  receiver: Receiver,
  outcome: DeliveryResult['outcome'],
  attempts: number,
  extra: Partial<DeliveryResult> = {},
): DeliveryResult {
  return { receiver: receiver.name, type: receiver.type, outcome, attempts, ...extra };
}

function policyWithin(deps: ReceiverDeps, budgetMs: number | undefined): RetryPolicy {
  const policy = deps.retry ?? DEFAULT_RETRY;
  return budgetMs === undefined
    ? policy
    : { ...policy, budgetMs: Math.max(0, Math.min(policy.budgetMs, budgetMs)) };
}

class HttpJsonReceiver implements Receiver {
  readonly sendGroup?: (group: AlertGroup, budgetMs?: number) => Promise<DeliveryResult>;
  readonly previewGroup?: (group: AlertGroup) => unknown;
  readonly sendPrepared?: (message: PreparedMessage, budgetMs?: number) => Promise<DeliveryResult>;

  constructor(
    readonly name: string,
    readonly type: ReceiverConfig['type'],
    private readonly what: string,
    private readonly okStatuses: readonly number[],
    private readonly timeoutMs: number,
    private readonly plan: (payload: Payload) => Promise<HttpRequestPlan>,
    private readonly render: (payload: Payload, placeholders: boolean) => unknown,
    private readonly deps: ReceiverDeps,
    groups: boolean,
  ) {
    if (groups) {
      this.sendGroup = (group, budgetMs) => this.deliver({ kind: 'group', group }, budgetMs);
      this.previewGroup = (group) => this.render({ kind: 'group', group }, true);
      // Receivers that list many alerts in one message (chat, webhooks) also post prepared ones.
      this.sendPrepared = (message, budgetMs) => this.deliver({ kind: 'prepared', message }, budgetMs);
    }
  }

  preview(alert: Alert): unknown {
    return this.render({ kind: 'alert', alert }, true);
  }

  send(alert: Alert, budgetMs?: number): Promise<DeliveryResult> {
    return this.deliver({ kind: 'alert', alert }, budgetMs);
  }

  private async deliver(payload: Payload, budgetMs: number | undefined): Promise<DeliveryResult> {
    let request: HttpRequestPlan;
    try {
      request = await this.plan(payload);
    } catch (error) {
      // Unreadable secrets and bad URLs are configuration faults: retrying cannot help.
      return result(this, 'failed', 0, { error: (error as Error).message, retryable: false });
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
      policyWithin(this.deps, budgetMs),
      this.deps.clock,
    );
    if (outcome.value !== undefined)
      return result(this, 'delivered', outcome.attempts, { status: outcome.value });
    return result(this, 'failed', outcome.attempts, {
      status: outcome.error?.status,
      error: redactSecrets(outcome.error?.message ?? 'unknown failure', request.secrets),
      retryable: outcome.error?.retryable,
      retryAfterMs: outcome.error?.retryAfterMs,
    });
  }
}

function placeholder(ref: SecretRef): string {
  return `<secret ${describeSecretRef(ref)}>`;
}

function pagerDuty(name: string, config: Extract<ReceiverConfig, { type: 'pagerduty' }>, deps: ReceiverDeps) {
  const render = (payload: Payload, routingKey: string) => {
    if (payload.kind !== 'alert') throw new Error('PagerDuty takes one alert per event');
    return renderPagerDutyEvent(payload.alert, routingKey);
  };
  return new HttpJsonReceiver(
    name,
    'pagerduty',
    'PagerDuty',
    [200, 202],
    config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    async (payload) => {
      const routingKey = await deps.secrets.resolve(config.routingKey);
      return {
        url: config.url ?? PAGERDUTY_EVENTS_URL,
        body: render(payload, routingKey),
        secrets: [routingKey],
      };
    },
    (payload) => render(payload, placeholder(config.routingKey)),
    deps,
    false,
  );
}

function slack(name: string, config: Extract<ReceiverConfig, { type: 'slack' }>, deps: ReceiverDeps) {
  const render = (payload: Payload) =>
    payload.kind === 'alert'
      ? renderSlackMessage(payload.alert)
      : payload.kind === 'group'
        ? renderSlackGroupMessage(payload.group)
        : payload.message.slack;
  return new HttpJsonReceiver(
    name,
    'slack',
    'Slack',
    [200],
    config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    async (payload) => {
      const url = await deps.secrets.resolve(config.webhookUrl);
      return { url, body: render(payload), secrets: [url] };
    },
    render,
    deps,
    true,
  );
}

function webhook(name: string, config: Extract<ReceiverConfig, { type: 'webhook' }>, deps: ReceiverDeps) {
  const render = (payload: Payload) =>
    payload.kind === 'alert'
      ? renderWebhookBody(payload.alert, name)
      : payload.kind === 'group'
        ? renderWebhookGroupBody(payload.group, name)
        : payload.message.json;
  return new HttpJsonReceiver(
    name,
    'webhook',
    `webhook ${name}`,
    [200, 201, 202, 204],
    config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    async (payload) => {
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
      return { url, body: render(payload), headers, secrets };
    },
    render,
    deps,
    true,
  );
}

function sns(name: string, config: Extract<ReceiverConfig, { type: 'sns' }>, deps: ReceiverDeps): Receiver {
  const topicArn = config.topicArn ?? deps.opsTopicArn;
  const publish = async (
    receiver: Receiver,
    message: { subject: string; message: string },
  ): Promise<DeliveryResult> => {
    if (!topicArn || !deps.publish) {
      return result(receiver, 'failed', 0, {
        error: `sns receiver ${name}: no topic (set topicArn, or deploy the stack's ops topic)`,
        retryable: false,
      });
    }
    try {
      await deps.publish(topicArn, message.subject, message.message);
      return result(receiver, 'delivered', 1);
    } catch (error) {
      const retryable = !/NotFound|InvalidParameter|AuthorizationError/.test((error as Error).name);
      return result(receiver, 'failed', 1, {
        error: `SNS publish failed: ${(error as Error).name}`,
        retryable,
      });
    }
  };
  const receiver: Receiver = {
    name,
    type: 'sns',
    preview: (alert) => ({ topicArn: topicArn ?? '<the stack ops topic>', ...renderSnsMessage(alert) }),
    send: (alert) => publish(receiver, renderSnsMessage(alert)),
    previewGroup: (group) => ({
      topicArn: topicArn ?? '<the stack ops topic>',
      ...renderSnsGroupMessage(group),
    }),
    sendGroup: (group) => publish(receiver, renderSnsGroupMessage(group)),
  };
  return receiver;
}

function consoleReceiver(name: string, deps: ReceiverDeps): Receiver {
  const receiver: Receiver = {
    name,
    type: 'console',
    preview: (alert) => renderWebhookBody(alert, name),
    send: async (alert) => {
      deps.consoleSink(alert, name);
      return result(receiver, 'delivered', 1);
    },
    previewGroup: (group) => renderWebhookGroupBody(group, name),
    sendGroup: async (group) => {
      for (const alert of group.alerts) deps.consoleSink(alert, name);
      return result(receiver, 'delivered', 1);
    },
  };
  const write = deps.consoleText;
  if (write) {
    receiver.sendPrepared = async (message) => {
      write(message.text, name);
      return result(receiver, 'delivered', 1);
    };
  }
  return receiver;
}

/** Builds the receiver named `name` from its configuration. */
export function createReceiver(name: string, config: ReceiverConfig, deps: ReceiverDeps): Receiver {
  switch (config.type) {
    case 'pagerduty':
      return pagerDuty(name, config, deps);
    case 'slack':
      return slack(name, config, deps);
    case 'webhook':
      return webhook(name, config, deps);
    case 'sns':
      return sns(name, config, deps);
    case 'console':
      return consoleReceiver(name, deps);
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
