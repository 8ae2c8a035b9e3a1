import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a request's timestamp may be from now (Slack's documented 5 minutes). */
export const SIGNATURE_WINDOW_MS = 5 * 60_000;

/** The `X-Slack-Signature` of a body: `v0=` + hex(HMAC-SHA256(secret, `v0:{timestamp}:{body}`)). */
export function slackSignature(secret: string, timestamp: string, rawBody: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`, 'utf8').digest('hex')}`;
}

/** Whether a request came from Slack: signed with one of the secrets, within the window. */
export type SignatureCheck = { ok: true; timestampMs: number } | { ok: false; reason: string };

/**
 * Checks `X-Slack-Signature` and `X-Slack-Request-Timestamp` over the raw body, in constant time,
 * against each configured signing secret (one per Slack app; usually one).
 */
export function verifySlackSignature(
  headers: Readonly<Record<string, string | undefined>>,
  rawBody: string,
  secrets: readonly string[],
  nowMs: number,
): SignatureCheck {
  const timestamp = headers['x-slack-request-timestamp'];
  const signature = headers['x-slack-signature'];
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'no valid request timestamp' };
  if (!signature || !/^v0=[0-9a-f]{64}$/.test(signature))
    return { ok: false, reason: 'no valid v0 signature' };
  const timestampMs = Number(timestamp) * 1000;
  if (Math.abs(nowMs - timestampMs) > SIGNATURE_WINDOW_MS)
    return { ok: false, reason: 'request timestamp outside the 5-minute window' };
  const given = Buffer.from(signature, 'utf8');
  let matched = false;
  for (const secret of secrets) {
    const expected = Buffer.from(slackSignature(secret, timestamp, rawBody), 'utf8');
    // Every secret is compared (no early exit), each in constant time.
    if (expected.length === given.length && timingSafeEqual(expected, given)) matched = true;
  }
  return matched ? { ok: true, timestampMs } : { ok: false, reason: 'signature does not match' };
}
