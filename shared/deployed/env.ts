import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { ConfigError } from '../errors';

/** Environment a deployed function reads (set by serverless.yml). */
export interface DeployedEnv {
  KLAXON_SSM_PREFIX?: string;
  KLAXON_STATE_TABLE?: string;
  KLAXON_RETRY_QUEUE_URL?: string;
  KLAXON_DEAD_LETTER_QUEUE_URL?: string;
  KLAXON_OPS_TOPIC_ARN?: string;
  KLAXON_CLAIM_LEASE_MS?: string;
  /** Comma-separated ARNs of the stack's own roles (loop prevention for security detections). */
  KLAXON_OWN_ROLE_ARNS?: string;
  /** Comma-separated names of the stack's own roles, `{region}` for the region (serverless.yml). */
  KLAXON_OWN_ROLE_NAMES?: string;
  AWS_REGION?: string;
  /** A local endpoint for every AWS service (moto, LocalStack), as the SDK reads it. */
  AWS_ENDPOINT_URL?: string;
  /** A local endpoint for SQS alone, as the SDK reads it. */
  AWS_ENDPOINT_URL_SQS?: string;
  /** The stage, shown in `klaxon approve <id> --stage <stage>` hints. */
  KLAXON_STAGE?: string;
  [name: string]: string | undefined;
}

/** The Powertools utilities of one function, configured once (shared/observability/powertools). */
export interface FunctionPowertools {
  logger: Logger;
  metrics: Metrics;
  tracer: Tracer;
}

const list = (text: string | undefined) =>
  (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/**
 * The ARNs of the stack's own roles, whose calls never raise a detection or a remediation: those of
 * KLAXON_OWN_ROLE_ARNS, and each of KLAXON_OWN_ROLE_NAMES in the partition and account of the
 * stack's ops topic (KLAXON_OPS_TOPIC_ARN) and the function's region (AWS_REGION).
 */
export function ownRoleArnsOf(env: DeployedEnv): string[] {
  const arns = list(env.KLAXON_OWN_ROLE_ARNS);
  const topic = /^arn:(aws[a-z-]*):sns:[a-z0-9-]+:(\d{12}):/.exec(env.KLAXON_OPS_TOPIC_ARN ?? '');
  const region = env.AWS_REGION ?? '';
  const names = list(env.KLAXON_OWN_ROLE_NAMES);
  if (names.length === 0) return arns;
  if (!topic || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    // Loop prevention must not silently switch off: a remediation could then act on its own calls.
    throw new ConfigError('the function environment', [
      {
        path: 'KLAXON_OWN_ROLE_NAMES',
        message: 'needs KLAXON_OPS_TOPIC_ARN (an SNS topic ARN) and AWS_REGION to build the role ARNs',
      },
    ]);
  }
  const [, partition, account] = topic;
  const named = names.map(
    (name) => `arn:${partition}:iam::${account}:role/${name.replaceAll('{region}', region)}`,
  );
  return [...arns, ...named];
}

/** How long a delivery claim outlives its invocation (serverless.yml sets it per function timeout). */
export function claimLeaseMsOf(env: DeployedEnv): number {
  return Number(env.KLAXON_CLAIM_LEASE_MS ?? 45_000);
}

/** The stack's own account, read from its role ARNs (all in one account); undefined when unset. */
export function accountOfRoles(roleArns: readonly string[]): string | undefined {
  const accounts = new Set(roleArns.map((arn) => /^arn:[^:]+:iam::(\d{12}):/.exec(arn)?.[1]));
  const [only] = [...accounts];
  return accounts.size === 1 && only ? only : undefined;
}
