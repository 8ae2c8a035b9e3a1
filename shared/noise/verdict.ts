import type { Decision } from '../routing/decide';
import type { DecisionRecord, SuppressionKind } from './record';

/** The decision as noise control has it so far, and the record that explains it. */
export interface Verdict {
  decision: Decision;
  record: DecisionRecord;
}

/** The verdict with nothing delivered, for `reason`, and the record saying which kind of suppression it was. */
export function suppressedVerdict(
  { decision, record }: Verdict,
  kind: SuppressionKind,
  reason: string,
  by?: string,
): Verdict {
  return {
    decision: { ...decision, suppressed: reason, receivers: [] },
    record: { ...record, suppressed: { kind, reason, ...(by ? { by } : {}) } },
  };
}
