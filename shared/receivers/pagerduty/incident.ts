import { dedupKeyFor } from '../../alert/fingerprint';
import type { SecretRef } from '../../config/primitives';
import { DeliveryError } from '../../errors';
import { redactSecrets } from '../../secrets/secrets';
import type { IncidentControl } from '../descriptor';
import { checkStatus } from '../http';
import { DEFAULT_RETRY, withRetry } from '../retry';
import { PAGERDUTY_EVENTS_URL } from './render';

/** PagerDuty acknowledges and resolves an incident by an Events API v2 event with its dedup key. */
export const pagerDutyIncident: IncidentControl<{
  routingKey: SecretRef;
  url?: string;
}> = {
  actions: ['acknowledge', 'resolve'],
  async act(action, fingerprint, config, deps) {
    const routingKey = await deps.secrets.resolve(config.routingKey);
    const body = JSON.stringify({
      routing_key: routingKey,
      event_action: action,
      dedup_key: dedupKeyFor(fingerprint),
    });
    const outcome = await withRetry(
      async () => {
        const response = await deps.post(config.url ?? PAGERDUTY_EVENTS_URL, body, { timeoutMs: 3_000 });
        checkStatus(response, 'PagerDuty', [200, 202]);
      },
      deps.retry ?? DEFAULT_RETRY,
      deps.clock,
    );
    if (outcome.error)
      throw new DeliveryError(
        redactSecrets(outcome.error.message, [routingKey]),
        outcome.error.retryable,
        outcome.error.status,
        { cause: outcome.error },
      );
  },
};
