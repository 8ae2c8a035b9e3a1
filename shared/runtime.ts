import type { Logger } from '@aws-lambda-powertools/logger';
import type { KlaxonConfig } from './config/load';
import { createReceivers, systemClock } from './receivers/factory';
import { postJson } from './receivers/http';
import type { Receiver } from './receivers/types';
import type { SecretResolver } from './secrets/secrets';

/** Builds the live receivers of a deployed function: real HTTP, real clock, console receiver into the log. */
export function createLiveReceivers(
  config: KlaxonConfig,
  secrets: SecretResolver,
  logger: Logger,
): Map<string, Receiver> {
  return createReceivers(config.receivers, {
    secrets,
    post: postJson,
    clock: systemClock,
    consoleSink: (alert, receiver) =>
      logger.info('console receiver', {
        receiver,
        fingerprint: alert.fingerprint,
        severity: alert.severity,
        status: alert.status,
        summary: alert.annotations.summary,
      }),
  });
}
