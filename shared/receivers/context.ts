import type { Alert } from '../alert/alert';
import type { SecretResolver } from '../secrets/secrets';
import type { StateStore } from '../state/store';
import type { PostJson } from './http';
import type { RetryPolicy } from './retry';

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

/**
 * Publishes one message to an SNS topic (the only SNS call receivers make). With `perProtocol`,
 * `message` is a JSON object of one message per protocol (`default`, `email`…): SNS `MessageStructure: json`.
 */
export type SnsPublish = (
  topicArn: string,
  subject: string,
  message: string,
  options?: { perProtocol?: boolean },
) => Promise<void>;

/** What receivers are built from: the ports and settings every receiver type shares. */
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
  /** The state table, where receivers that edit their messages remember them (Slack app mode). */
  store?: StateStore;
  /** Ends an ad-hoc silence now (a Slack "silence until resolved" when its incident resolves). */
  endSilence?: (id: string, now: number) => Promise<void>;
}
