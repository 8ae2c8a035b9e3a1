import { createHash } from 'node:crypto';

/** A short stable digest of a JSON value, for set keys and record member names. */
export function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}
