import { createHash } from 'node:crypto';

/** PagerDuty's documented maximum length for `dedup_key`. */
export const MAX_DEDUP_KEY_LENGTH = 255;

/** The PagerDuty dedup_key for a fingerprint: the fingerprint itself, hashed only when too long. */
export function dedupKeyFor(fingerprint: string): string {
  if (fingerprint.length <= MAX_DEDUP_KEY_LENGTH) return fingerprint;
  return `sha256:${createHash('sha256').update(fingerprint).digest('hex')}`;
}
