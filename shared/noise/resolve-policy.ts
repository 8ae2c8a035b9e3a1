import type { RoutePolicy } from './config';
import { suppressedVerdict, type Verdict } from './verdict';

/** A resolve without the receivers every one of whose routes says `sendResolved: false` (suppressed if none is left). */
export function applySendResolved(
  verdict: Verdict,
  routePolicies: ReadonlyMap<string, RoutePolicy>,
): Verdict {
  const { decision, record } = verdict;
  const selected = record.routes.filter((r) => r.selected);
  const keep = decision.receivers.filter((receiver) =>
    selected.some((r) => r.receiver === receiver && routePolicies.get(r.path)?.sendResolved !== false),
  );
  const reason = 'its route has sendResolved: false';
  const dropped = decision.receivers
    .filter((r) => !keep.includes(r))
    .map((receiver) => ({ receiver, reason }));
  const next: Verdict = {
    decision: { ...decision, skipped: [...decision.skipped, ...dropped] },
    record: { ...record, skipped: [...record.skipped, ...dropped] },
  };
  if (keep.length === 0 && decision.receivers.length > 0) {
    return suppressedVerdict(
      next,
      'resolve-policy',
      'resolve not sent: sendResolved is false on every matched route',
    );
  }
  return { ...next, decision: { ...next.decision, receivers: keep } };
}
