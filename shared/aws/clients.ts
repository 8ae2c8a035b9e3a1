import { SSMClient } from '@aws-sdk/client-ssm';

/**
 * Builds the SSM client. Region, endpoint (`AWS_ENDPOINT_URL`, used for moto) and retry count
 * (`AWS_MAX_ATTEMPTS`) come from the SDK's standard environment variables.
 */
export function createSsmClient(): SSMClient {
  return new SSMClient({});
}
