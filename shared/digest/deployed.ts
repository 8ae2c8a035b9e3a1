import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { CLIENT_TIMEOUTS, createDynamoClient, createSsmClient } from '../aws/clients';
import { validateConfig } from '../config/load';
import { Dispatcher } from '../delivery/dispatcher';
import { ConfigError } from '../errors';
import { PowertoolsObserver } from '../observability/observer';
import { createReceivers, type ReceiverDeps, systemClock } from '../receivers/factory';
import { postJson } from '../receivers/http';
import type { DeployedEnv } from '../deployed/env';
import type { InvocationClock } from '../lambda/invocation-clock';
import { DeployedSecretResolver } from '../secrets/secrets';
import { ssmParameterReader } from '../secrets/ssm';
import { DynamoStateStore } from '../state/dynamodb';
import type { DigestDeps } from './run';

/**
 * The digest function's dependencies, built once per cold start: the bundled klaxon.yml, the digest
 * receiver alone (secrets from SSM, as every receiver), the state table and a dispatcher for pacing.
 */
export function deployedDigest(
  configData: unknown,
  env: DeployedEnv,
  powertools: { logger: Logger; metrics: Metrics; tracer: Tracer },
  invocation: InvocationClock,
): DigestDeps {
  const config = validateConfig(configData, 'klaxon.yml (bundled)');
  if (!env.KLAXON_STATE_TABLE) {
    throw new ConfigError('environment', [
      { path: 'KLAXON_STATE_TABLE', message: 'not set: the digest is built from the state table' },
    ]);
  }
  const { logger } = powertools;
  const name = config.digest?.receiver;
  const receiverConfig = name ? config.receivers[name] : undefined;
  const deps: ReceiverDeps = {
    secrets: new DeployedSecretResolver(env.KLAXON_SSM_PREFIX, ssmParameterReader(createSsmClient()), env),
    post: postJson,
    clock: systemClock,
    consoleSink: () => {},
    consoleText: (text, receiver) => logger.info('digest', { receiver, digest: text }),
  };
  const receivers = createReceivers(name && receiverConfig ? { [name]: receiverConfig } : {}, deps);
  const observer = new PowertoolsObserver(logger, powertools.metrics, powertools.tracer);
  const store = new DynamoStateStore(
    createDynamoClient(CLIENT_TIMEOUTS.dynamodbScan),
    env.KLAXON_STATE_TABLE,
  );
  const dispatcher = new Dispatcher({
    config,
    receivers,
    store,
    clock: systemClock,
    observer,
    remainingMs: () => invocation.remainingMs(),
    leaseMs: Number(env.KLAXON_CLAIM_LEASE_MS ?? 45_000),
  });
  return { config, store, dispatcher, observer, now: () => new Date() };
}
