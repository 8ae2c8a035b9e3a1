import { validateConfig } from '../config/load';
import { PowertoolsObserver } from '../observability/observer';
import type { Remediator } from '../remediation/remediator';
import type { DeployedEnv, FunctionPowertools } from './env';
import { deployedRemediator } from './remediation';
import { deployedSecrets } from './secrets';
import { deployedState } from './state';

/** What the approval endpoint runs with. */
export interface ApprovalDeps {
  remediator: Remediator;
  /** The HMAC key of the links. */
  key: () => Promise<string | undefined>;
  now: () => number;
  /** `remediation.approval.auth`: `iam` takes SigV4-signed requests only (default `link`). */
  auth?: 'link' | 'iam';
}

/**
 * The approval endpoint's dependencies: the remediation stage over the state table and SSM, and the
 * links' key; no receivers, enrichment or event pipeline.
 */
export function deployedApproval(
  configData: unknown,
  env: DeployedEnv,
  powertools: FunctionPowertools,
): ApprovalDeps {
  const config = validateConfig(configData, 'klaxon.yml (bundled)');
  const secrets = deployedSecrets(env);
  const observer = new PowertoolsObserver(powertools.logger, powertools.metrics, powertools.tracer);
  const remediator = deployedRemediator(config, env, { observer, secrets, ...deployedState(env) });
  if (!remediator) throw new Error('klaxon.yml has no remediations: nothing to approve');
  const secret = config.remediation.approval.secret;
  return {
    remediator,
    key: async () => (secret ? secrets.resolve(secret) : undefined),
    now: () => Date.now(),
    auth: config.remediation.approval.auth,
  };
}
