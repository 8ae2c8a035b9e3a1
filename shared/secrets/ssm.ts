import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { ParameterReader } from './secrets';

/** Seconds a secret stays cached in a warm Lambda (SSM GetParameter is rate limited per account). */
export const SECRET_CACHE_SECONDS = 300;

/** Reads SecureString parameters through Powertools parameters, decrypted and cached. */
export function ssmParameterReader(client: SSMClient): ParameterReader {
  const provider = new SSMProvider({ awsSdkV3Client: client });
  return (name) => provider.get(name, { decrypt: true, maxAge: SECRET_CACHE_SECONDS });
}
