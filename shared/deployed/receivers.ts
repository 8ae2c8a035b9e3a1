import type { Logger } from '@aws-lambda-powertools/logger';
import { createSnsPublish } from '../aws/clients';
import type { KlaxonConfig } from '../config/load';
import { SilenceRepository } from '../noise/silences';
import { createReceivers, systemClock } from '../receivers/factory';
import { postJson } from '../receivers/http';
import type { Receiver } from '../receivers/types';
import type { SecretResolver } from '../secrets/secrets';
import type { StateStore } from '../state/store';
import type { DeployedEnv } from './env';

/** Builds the configured receivers of a deployed function: real HTTP, SNS, and the console as log lines. */
export function deployedReceivers(
  config: KlaxonConfig,
  env: DeployedEnv,
  secrets: SecretResolver,
  logger: Logger,
  store?: StateStore,
): Map<string, Receiver> {
  return createReceivers(config.receivers, {
    secrets,
    post: postJson,
    clock: systemClock,
    publish: createSnsPublish(),
    opsTopicArn: env.KLAXON_OPS_TOPIC_ARN,
    store,
    endSilence: store
      ? async (id, now) => {
          await new SilenceRepository(store).expire(id, now);
        }
      : undefined,
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
