import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed approval links: `<url>?id=<approval id>&exp=<epoch ms>&sig=<HMAC-SHA256>`, keyed with a
 * secret from the SSM prefix. The link only identifies a pending approval and proves Klaxon issued
 * it; the approval itself is the same `Remediator.approve` a CLI command or a Slack button
 * calls. Opening the link shows a confirmation page: only its POST approves, so chat link previews
 * and scanners that fetch URLs never approve anything.
 */

function signature(key: string, id: string, expiresAt: number): string {
  return createHmac('sha256', key).update(`klaxon-approve\n${id}\n${expiresAt}`).digest('hex');
}

/** The signed approval link for one pending remediation. */
export function approvalLink(baseUrl: string, key: string, id: string, expiresAt: number): string {
  const url = new URL(baseUrl);
  url.searchParams.set('id', id);
  url.searchParams.set('exp', String(expiresAt));
  url.searchParams.set('sig', signature(key, id, expiresAt));
  return url.toString();
}

/** Checks a link's parameters: the approval id when the signature holds and it has not expired, else why not. */
export function verifyApprovalLink(
  params: { id?: string; exp?: string; sig?: string },
  key: string,
  now: number,
): { ok: true; id: string } | { ok: false; reason: string } {
  const { id, exp, sig } = params;
  if (!id || !exp || !sig) return { ok: false, reason: 'the link is incomplete' };
  const expiresAt = Number(exp);
  if (!Number.isInteger(expiresAt)) return { ok: false, reason: 'the link is malformed' };
  const expected = Buffer.from(signature(key, id, expiresAt), 'hex');
  const given = /^[0-9a-f]{64}$/.test(sig) ? Buffer.from(sig, 'hex') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'the signature does not match' };
  }
  if (now >= expiresAt) return { ok: false, reason: 'the link has expired' };
  return { ok: true, id };
}
