import type { Context } from 'aws-lambda';
import klaxonYml from '../../klaxon.yml';
import { createSsmClient } from '../../shared/aws/clients';
import { type KlaxonConfig, loadConfig } from '../../shared/config/load';
import { PowertoolsObserver } from '../../shared/observability/observer';
import { createPowertools } from '../../shared/observability/powertools';
import { type PipelineDeps, type ProcessResult, processEvent } from '../../shared/pipeline';
import { createLiveReceivers } from '../../shared/runtime';
import { DeployedSecretResolver } from '../../shared/secrets/secrets';
import { ssmParameterReader } from '../../shared/secrets/ssm';

/** What the alarm notifier returns (ignored by async invokers; useful in tests and `invoke local`). */
export interface AlarmNotifierResult {
  outcome: ProcessResult['outcome'];
  alerts: number;
  delivered: number;
  failed: number;
  invalid: number;
}

const { logger, metrics, tracer } = createPowertools('klaxon-alarm-notifier');

/** Builds a handler around dependencies created once, on first use (tests inject their own). */
export function createAlarmNotifier(buildDeps: () => PipelineDeps) {
  let deps: PipelineDeps | undefined;
  return async (event: unknown, context?: Context): Promise<AlarmNotifierResult> => {
    if (context) logger.addContext(context);
    deps ??= buildDeps();
    const pipeline = deps;
    const result = await pipeline.observer.span('## alarm-notifier', () => processEvent(event, pipeline));
    const deliveries = [...result.alerts, ...result.notices].flatMap((a) => a.deliveries);
    return {
      outcome: result.outcome,
      alerts: result.alerts.length,
      delivered: deliveries.filter((d) => d.outcome === 'delivered').length,
      failed: deliveries.filter((d) => d.outcome === 'failed').length,
      invalid: result.errors.length,
    };
  };
}

/** The dependencies of the deployed function: bundled klaxon.yml, SSM secrets under the deployment prefix. */
export function deployedDeps(configText: string = klaxonYml): PipelineDeps {
  const config: KlaxonConfig = loadConfig(configText, 'klaxon.yml (bundled)');
  const secrets = new DeployedSecretResolver(
    process.env.KLAXON_SSM_PREFIX,
    ssmParameterReader(createSsmClient()),
    process.env,
  );
  return {
    config,
    receivers: createLiveReceivers(config, secrets, logger),
    mode: 'deliver',
    observer: new PowertoolsObserver(logger, metrics, tracer),
    now: () => new Date(),
  };
}

/** The Lambda entry point for SNS, EventBridge and direct alarm-action invocations. */
export const handler = createAlarmNotifier(() => deployedDeps());
