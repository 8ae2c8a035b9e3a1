import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import klaxonYml from '../../klaxon.yml';
import { type ApprovalDeps, deployedApproval } from '../../shared/deployed/approval';
import { ApprovalNotFoundError } from '../../shared/errors';
import { lazyHandler } from '../../shared/lambda/lazy-handler';
import { createPowertools } from '../../shared/observability/powertools';
import { verifyApprovalLink } from '../../shared/remediation/approval';
import type { RemediationDecision } from '../../shared/remediation/record';

/**
 * The approval endpoint of signed links (a Lambda function URL). GET shows what would run and a
 * confirm button; only the POST approves, so link previews and scanners never approve anything. The
 * approval itself is `Remediator.approve`, the same call `klaxon approve <id>` makes (and the Slack
 * interactivity worker makes, after checking Slack's request signature).
 */

const powertools = createPowertools('klaxon-remediator');

/** What the endpoint runs with (shared/deployed/approval.ts). */
export type { ApprovalDeps };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(status: number, title: string, body: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    },
    body: `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  };
}

function formParams(event: APIGatewayProxyEventV2): Record<string, string> {
  const raw = event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body
    : '';
  return Object.fromEntries(new URLSearchParams(raw));
}

/** The IAM principal the function URL authenticated (AuthType AWS_IAM), if any. */
function callerArn(event: APIGatewayProxyEventV2): string | undefined {
  const context = event.requestContext as
    (APIGatewayProxyEventV2['requestContext'] & { authorizer?: { iam?: { userArn?: string } } }) | undefined;
  return context?.authorizer?.iam?.userArn || undefined;
}

/** True when the caller asked for JSON (`klaxon approve` does), else the answer is an HTML page. */
function wantsJson(event: APIGatewayProxyEventV2): boolean {
  const headers = event.headers ?? {};
  const accept = Object.entries(headers).find(([name]) => name.toLowerCase() === 'accept')?.[1];
  return accept?.includes('application/json') ?? false;
}

/** Answers in the form the caller asked for: a JSON object or an HTML page. */
function answer(
  event: APIGatewayProxyEventV2,
  status: number,
  title: string,
  text: string,
  result?: RemediationDecision,
): APIGatewayProxyStructuredResultV2 {
  if (wantsJson(event)) {
    return {
      statusCode: status,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      body: JSON.stringify(result ?? { error: `${title}${text ? `: ${text}` : ''}` }),
    };
  }
  return page(status, title, text ? `<p>${escapeHtml(text)}</p>` : '');
}

/** The 404 answer for an id under which no remediation waits (expired, removed or never there). */
function gone(event: APIGatewayProxyEventV2): APIGatewayProxyStructuredResultV2 {
  return answer(
    event,
    404,
    'No such remediation',
    'No remediation waits under this id: it expired or was removed. Nothing was started.',
  );
}

/** Approves one remediation as `by`, answering with what happened (404 for an unknown id). */
async function approveAs(
  event: APIGatewayProxyEventV2,
  deps: ApprovalDeps,
  id: string,
  by: string,
): Promise<APIGatewayProxyStructuredResultV2> {
  let result: RemediationDecision;
  try {
    result = await deps.remediator.approve(id, by);
  } catch (error) {
    if (error instanceof ApprovalNotFoundError) return gone(event);
    throw error;
  }
  const done = result.outcome === 'started' && !result.alreadyApproved;
  return answer(
    event,
    done ? 200 : 409,
    done ? 'Remediation started' : result.alreadyApproved ? 'Already approved' : 'Remediation not started',
    `${result.action} (${Object.entries(result.parameters)
      .map(([k, v]) => `${k}=${v}`)
      .join(
        ', ',
      )}): ${result.outcome}${result.executionId ? ` ${result.executionId}` : ''}${result.reason ? ` — ${result.reason}` : ''}`,
    result,
  );
}

/**
 * With `remediation.approval.auth: iam` the function URL lets only SigV4-signed requests through
 * (AuthType AWS_IAM); the approver is the IAM caller, and a POST of the id is the approval. The
 * check here refuses a request without an IAM caller too, should the URL ever lose its auth type.
 */
async function answerIamApproval(
  event: APIGatewayProxyEventV2,
  deps: ApprovalDeps,
): Promise<APIGatewayProxyStructuredResultV2> {
  const caller = callerArn(event);
  if (!caller) {
    return answer(
      event,
      403,
      'Approval refused',
      'this endpoint takes SigV4-signed requests only (remediation.approval.auth: iam); use klaxon approve',
    );
  }
  if ((event.requestContext?.http?.method ?? 'GET') !== 'POST') {
    return answer(
      event,
      405,
      'Approve with a POST',
      'klaxon approve <id> --stage <stage> signs and posts it',
    );
  }
  const id = formParams(event).id;
  if (!id) return answer(event, 400, 'Approval refused', 'the request names no remediation (id)');
  return approveAs(event, deps, id, caller);
}

/** Shows (GET) or approves (POST) the remediation of one signed link. */
async function answerApproval(
  event: APIGatewayProxyEventV2,
  deps: ApprovalDeps,
): Promise<APIGatewayProxyStructuredResultV2> {
  if (deps.auth === 'iam') return answerIamApproval(event, deps);
  const method = event.requestContext?.http?.method ?? 'GET';
  const params = method === 'POST' ? formParams(event) : (event.queryStringParameters ?? {});
  const key = await deps.key();
  if (!key) return answer(event, 503, 'Approval links are not configured', '');
  const checked = verifyApprovalLink(params, key, deps.now());
  if (!checked.ok) return answer(event, 403, 'Approval refused', checked.reason);
  if (method !== 'POST') {
    const current = await deps.remediator.lookup(checked.id).catch((error: unknown) => {
      if (error instanceof ApprovalNotFoundError) return undefined;
      throw error;
    });
    if (!current) return gone(event);
    const hidden = ['id', 'exp', 'sig']
      .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(params[name] ?? '')}">`)
      .join('');
    return page(
      200,
      'Approve remediation?',
      `<p>Remediation <code>${escapeHtml(checked.id)}</code>: ${escapeHtml(current.action)} (${escapeHtml(current.outcome)}). The exact action is in the alert that carried this link.</p><form method="post">${hidden}<button type="submit">Approve and start</button></form>`,
    );
  }
  // Only the signed link and the address it was posted from say who approved.
  const address = event.requestContext?.http?.sourceIp ?? 'unknown address';
  return approveAs(event, deps, checked.id, `signed link (${address})`);
}

/** Builds the endpoint around dependencies created once (tests inject their own). */
export function createApprovalHandler(
  build: () => ApprovalDeps,
): (event: APIGatewayProxyEventV2, context?: Context) => Promise<APIGatewayProxyStructuredResultV2> {
  return lazyHandler({
    addContext: (context) => powertools.logger.addContext(context),
    defaultRemainingMs: 10_000,
    build,
    run: (event: APIGatewayProxyEventV2, deps: ApprovalDeps) => answerApproval(event, deps),
  });
}

/** The Lambda entry point (function URL) for signed approval links. */
export const handler = createApprovalHandler(() => deployedApproval(klaxonYml, process.env, powertools));
