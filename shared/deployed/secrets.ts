import { createSsmClient } from '../aws/clients';
import { DeployedSecretResolver } from '../secrets/secrets';
import { ssmParameterReader } from '../secrets/ssm';
import type { DeployedEnv } from './env';

/** Resolves secret references from SSM Parameter Store under the stage's prefix (and `{env: NAME}`). */
export function deployedSecrets(env: DeployedEnv): DeployedSecretResolver {
  return new DeployedSecretResolver(env.KLAXON_SSM_PREFIX, ssmParameterReader(createSsmClient()), env);
}
