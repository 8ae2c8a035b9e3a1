import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { KlaxonConfig } from '../shared/config/load';
import { silentObserver } from '../shared/observability/observer';
import { type RemediationDecision, Remediator } from '../shared/remediation/remediator';
import { RunCommandAdapter, SsmAutomationAdapter } from '../shared/remediation/ssm';
import { DynamoStateStore } from '../shared/state/dynamodb';
import { functionUrlRegion, type SignedRequest, signFunctionUrlPost } from './sigv4';

/** Options of `klaxon approve`. */
export interface ApproveOptions {
  id: string;
  stage: string;
  region?: string;
  /** Who approves, for the audit record. */
  by: string;
  config: KlaxonConfig;
}

/**
 * Approves a pending remediation of a deployed stage. With `remediation.approval.auth: iam` it posts
 * the id to the approval function URL, signed with SigV4 (the caller needs lambda:InvokeFunctionUrl;
 * the endpoint records the caller's IAM ARN). Otherwise it starts the remediation itself behind the
 * same guards as the Lambda (caps, circuit breaker, idempotency), with the caller's AWS credentials:
 * read/write on the stage's state table and permission to start the document.
 */
export async function approveRemediation(options: ApproveOptions): Promise<RemediationDecision> {
  if (options.config.remediation.approval.auth === 'iam') return approveThroughUrl(options);
  const client = { ...(options.region ? { region: options.region } : {}) };
  const ssm = new SSMClient(client);
  const remediator = new Remediator({
    config: options.config,
    observer: silentObserver,
    now: () => new Date(),
    store: new DynamoStateStore(new DynamoDBClient(client), `klaxon-${options.stage}-state`),
    automation: new SsmAutomationAdapter(ssm),
    runCommand: new RunCommandAdapter(ssm),
    stage: options.stage,
  });
  return remediator.approve(options.id, options.by);
}

/** What the approval endpoint answered: the decision, or why it refused. */
type EndpointAnswer = { status: number; body: string };

/** Sends a signed request over HTTP(S) and reads the whole answer. */
async function send(request: SignedRequest): Promise<EndpointAnswer> {
  const open = request.url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const call = open(
      request.url,
      { method: request.method, headers: request.headers, timeout: 15_000 },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    call.on('timeout', () => call.destroy(new Error('the approval endpoint did not answer within 15 s')));
    call.on('error', reject);
    call.end(request.body);
  });
}

/** Posts the approval to the function URL (AuthType AWS_IAM), signed with the caller's credentials. */
async function approveThroughUrl(options: ApproveOptions): Promise<RemediationDecision> {
  const { url: base } = options.config.remediation.approval;
  if (!base) {
    throw new Error(
      'remediation.approval.auth is iam but remediation.approval.url is not set: klaxon approve needs the function URL',
    );
  }
  const url = new URL(base);
  const region = options.region ?? functionUrlRegion(url) ?? process.env.AWS_REGION;
  if (!region) throw new Error(`cannot tell the Region of ${url.host}: pass --region`);
  // The SDK's default credential chain (environment, profile, SSO, instance role), as every command uses.
  const { credentials } = new SSMClient({ region }).config;
  const signed = await signFunctionUrlPost({
    url,
    body: new URLSearchParams({ id: options.id }).toString(),
    region,
    credentials,
  });
  const answer = await send(signed);
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch (error) {
    throw new Error(`the approval endpoint answered HTTP ${answer.status} without JSON`, { cause: error });
  }
  const body = (parsed ?? {}) as Partial<RemediationDecision> & { error?: string; Message?: string };
  if (answer.status === 404) throw new Error(`no remediation with id ${options.id}`);
  if (typeof body.outcome === 'string' && typeof body.rule === 'string') return body as RemediationDecision;
  // Lambda itself answers {"Message":"Forbidden"} to a request IAM does not authorize.
  const why = body.error ?? body.Message ?? answer.body.slice(0, 200);
  throw new Error(
    `the approval endpoint refused (HTTP ${answer.status}): ${why}${answer.status === 403 ? ' (your credentials need lambda:InvokeFunctionUrl on the approval function)' : ''}`,
  );
}
