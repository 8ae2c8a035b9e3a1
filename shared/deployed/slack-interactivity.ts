import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createSqsClient } from '../aws/clients';
import { validateConfig } from '../config/load';
import { PowertoolsObserver } from '../observability/observer';
import { systemClock } from '../receivers/context';
import { postJson } from '../receivers/http';
import { interactivityTargets } from '../receivers/slack/app-config';
import type { SlackClick, SlackIntakeDeps, SlackWorkerDeps } from '../receivers/slack/interactivity';
import type { DeployedEnv, FunctionPowertools } from './env';
import { deployedRemediator } from './remediation';
import { deployedSecrets } from './secrets';
import { deployedState } from './state';

/** What the Slack interactivity function runs with: the intake (function URL) and the worker (queue). */
export interface SlackInteractivityDeps {
  intake: SlackIntakeDeps;
  worker: SlackWorkerDeps;
}

/**
 * The Slack interactivity function's dependencies: the state table, the signing secrets and bot
 * tokens from SSM, its own action queue, PagerDuty for acknowledge and resolve, and the remediator
 * for Approve; no event pipeline.
 */
export function deployedSlackInteractivity(
  configData: unknown,
  env: DeployedEnv,
  powertools: FunctionPowertools,
): SlackInteractivityDeps {
  const config = validateConfig(configData, 'klaxon.yml (bundled)');
  const { store, queue } = deployedState(env);
  if (!store) throw new Error('the Slack interactivity endpoint needs the state table (KLAXON_STATE_TABLE)');
  const queueUrl = env.KLAXON_SLACK_ACTIONS_QUEUE_URL;
  if (!queueUrl) throw new Error('the Slack interactivity endpoint needs KLAXON_SLACK_ACTIONS_QUEUE_URL');
  const secrets = deployedSecrets(env);
  const observer = new PowertoolsObserver(powertools.logger, powertools.metrics, powertools.tracer);
  const targets = interactivityTargets(config.receivers);
  const signingRefs = [...targets.slackReceivers.values()].flatMap((app) =>
    app.signingSecret ? [app.signingSecret] : [],
  );
  const sqs = createSqsClient(env);
  return {
    intake: {
      store,
      now: () => Date.now(),
      signingSecrets: () => Promise.all(signingRefs.map((ref) => secrets.resolve(ref))),
      enqueue: async (click: SlackClick) => {
        await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(click) }));
      },
    },
    worker: {
      ...targets,
      store,
      secrets,
      post: postJson,
      clock: systemClock,
      remediator: deployedRemediator(config, env, { observer, secrets, store, queue }),
    },
  };
}
