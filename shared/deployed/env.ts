import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';

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

/** The ARNs of the stack's own roles, whose calls never raise a detection or a remediation. */
export function ownRoleArnsOf(env: DeployedEnv): string[] {
  return (env.KLAXON_OWN_ROLE_ARNS ?? '')
    .split(',')
    .map((arn) => arn.trim())
    .filter(Boolean);
}

/** How long a delivery claim outlives its invocation (serverless.yml sets it per function timeout). */
export function claimLeaseMsOf(env: DeployedEnv): number {
  return Number(env.KLAXON_CLAIM_LEASE_MS ?? 45_000);
}
