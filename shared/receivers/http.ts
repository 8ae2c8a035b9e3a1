import { DeliveryError } from '../errors';

/** What an HTTP endpoint answered. */
export interface HttpResponse {
  status: number;
  headers: Headers;
  body: string;
}

/** The one network operation receivers need; injected so tests and replays can observe it. */
export type PostJson = (
  url: string,
  body: string,
  options: { timeoutMs: number; headers?: Record<string, string> },
) => Promise<HttpResponse>;

/** POSTs JSON with Node's fetch and a per-request timeout; network failures become retryable DeliveryErrors. */
export const postJson: PostJson = async (url, body, { timeoutMs, headers }) => {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'klaxon', ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (error) {
    const name = (error as Error).name;
    const message =
      name === 'TimeoutError' || name === 'AbortError'
        ? `no answer within ${timeoutMs} ms`
        : `network error (${networkCode(error)})`;
    // The cause is dropped on purpose: undici's errors can carry the URL, which is a secret for webhooks.
    throw new DeliveryError(message, true);
  }
  const text = await response.text().catch((error: unknown) => `(body unreadable: ${(error as Error).name})`);
  return { status: response.status, headers: response.headers, body: text };
};

function networkCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? cause.code : (error as Error).name;
}

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds. */
export function retryAfterMillis(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Classifies an HTTP answer: 2xx is fine, 429 and 5xx retryable, other 4xx permanent. */
export function checkStatus(response: HttpResponse, what: string, okStatuses: readonly number[]): void {
  if (okStatuses.includes(response.status)) return;
  const retryable = response.status === 429 || response.status >= 500;
  const detail = response.body.replace(/\s+/g, ' ').trim().slice(0, 200);
  throw new DeliveryError(
    `${what} answered HTTP ${response.status}${detail ? `: ${detail}` : ''}`,
    retryable,
    response.status,
  );
}
