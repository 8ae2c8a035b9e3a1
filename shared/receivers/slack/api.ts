import { DeliveryError } from '../../errors';
import type { Clock } from '../context';
import { type PostJson, retryAfterMillis } from '../http';

/** The Slack Web API's base URL; `apiUrl` overrides it for tests and proxies. */
export const SLACK_API_URL = 'https://slack.com/api';

/**
 * Web API error codes worth another try (Slack's method docs): rate limits and Slack's own faults.
 * Every other code (`channel_not_found`, `not_in_channel`, `invalid_auth`, `msg_too_long`, …) is
 * a configuration or payload fault that the same request cannot get past.
 */
const RETRYABLE_CODES = new Set([
  'ratelimited',
  'rate_limited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

/** What a Web API method answered when `ok` was true. */
export type SlackApiAnswer = Record<string, unknown>;

/** True when Slack's error code is worth retrying. */
export function slackErrorRetryable(code: string): boolean {
  return RETRYABLE_CODES.has(code);
}

/** A Web API failure, with Slack's error code (`channel_not_found`) when Slack gave one. */
export class SlackApiError extends DeliveryError {
  constructor(
    message: string,
    retryable: boolean,
    readonly code: string | undefined,
    status?: number,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, retryable, status, options);
  }
}

/** Calls Slack Web API methods with a bot token over the injected `post` port. */
export class SlackApi {
  constructor(
    private readonly post: PostJson,
    private readonly clock: Clock,
    private readonly baseUrl: string = SLACK_API_URL,
    private readonly timeoutMs = 3_000,
  ) {}

  /** Calls `method` with a JSON body; throws SlackApiError (retryable or not) unless Slack says ok. */
  async call(
    method: string,
    token: string,
    body: unknown,
    query?: Record<string, string>,
  ): Promise<SlackApiAnswer> {
    const search = query ? `?${new URLSearchParams(query).toString()}` : '';
    const url = `${this.baseUrl.replace(/\/+$/, '')}/${method}${search}`;
    const response = await this.post(url, JSON.stringify(body), {
      timeoutMs: this.timeoutMs,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' },
    });
    const retryAfterMs = retryAfterMillis(response.headers.get('retry-after'), this.clock.now());
    const answer = parseAnswer(response.body);
    if (response.status === 429) {
      throw new SlackApiError(`Slack ${method}: ratelimited`, true, 'ratelimited', 429, { retryAfterMs });
    }
    if (response.status >= 500) {
      throw new SlackApiError(
        `Slack ${method} answered HTTP ${response.status}`,
        true,
        undefined,
        response.status,
      );
    }
    if (response.status !== 200 || !answer) {
      throw new SlackApiError(
        `Slack ${method} answered HTTP ${response.status}${answer ? '' : ' (no JSON)'}`,
        false,
        undefined,
        response.status,
      );
    }
    if (answer.ok !== true) {
      const code = typeof answer.error === 'string' ? answer.error.slice(0, 100) : 'unknown_error';
      throw new SlackApiError(`Slack ${method}: ${code}`, slackErrorRetryable(code), code, response.status, {
        retryAfterMs,
      });
    }
    return answer;
  }
}

function parseAnswer(text: string): SlackApiAnswer | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as SlackApiAnswer)
      : undefined;
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}
