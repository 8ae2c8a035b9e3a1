import { createHash } from 'node:crypto';

/** Klaxon's UUID namespace for remediation tokens (a fixed, random v4 UUID). */
const NAMESPACE = '3f0c6d1e-8a4b-4c57-9d2e-6b1f0a7c5e93';

function bytesOf(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

/** A name-based UUID (RFC 9562 version 5: SHA-1 of namespace and name). */
export function uuidV5(name: string, namespace = NAMESPACE): string {
  const hash = createHash('sha1').update(bytesOf(namespace)).update(name, 'utf8').digest();
  const bytes = Buffer.from(hash.subarray(0, 16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The idempotency token of one remediation decision: the same transition and rule always give the
 * same token, whichever path or how many times the alert arrived. It is the Automation `ClientToken`
 * (SSM refuses to start a second execution with it), the state-table claim for Run Command (which
 * has no ClientToken), and the approval id.
 */
export function remediationToken(transitionId: string, rule: string): string {
  return uuidV5(`${rule}\u0000${transitionId}`);
}
