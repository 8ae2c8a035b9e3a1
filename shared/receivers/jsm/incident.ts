import type { SecretRef } from '../../config/primitives';
import { DeliveryError } from '../../errors';
import { redactSecrets } from '../../secrets/secrets';
import type { IncidentControl } from '../descriptor';
import { checkStatus } from '../http';
import { DEFAULT_RETRY, withRetry } from '../retry';
import { jsmActionRequest, jsmAlias } from './render';

/** The JSM alert API acknowledges and closes an alert by its alias (the fingerprint). */
export function jsmIncident(defaultUrl: string): IncidentControl<{
  apiKey: SecretRef;
  apiUrl?: string;
}> {
  return {
    actions: ['acknowledge', 'resolve'],
    async act(action, fingerprint, config, deps) {
      const key = await deps.secrets.resolve(config.apiKey);
      const request = jsmActionRequest(
        jsmAlias(fingerprint),
        action === 'acknowledge' ? 'acknowledge' : 'close',
        action === 'acknowledge' ? 'acknowledged from Slack' : 'resolved from Slack',
      );
      const outcome = await withRetry(
        async () => {
          const response = await deps.post(
            `${config.apiUrl ?? defaultUrl}${request.path}`,
            JSON.stringify(request.body),
            {
              timeoutMs: 3_000,
              headers: { authorization: `GenieKey ${key}` },
            },
          );
          checkStatus(response, 'JSM', [200, 202]);
        },
        deps.retry ?? DEFAULT_RETRY,
        deps.clock,
      );
      if (outcome.error)
        throw new DeliveryError(
          redactSecrets(outcome.error.message, [key]),
          outcome.error.retryable,
          outcome.error.status,
          {
            cause: outcome.error,
          },
        );
    },
  };
}
