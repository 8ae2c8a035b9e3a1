import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import klaxonYml from '../../klaxon.yml';
import { type ApprovalDeps, deployedApproval } from '../../shared/deployed/approval';
import { ApprovalNotFoundError } from '../../shared/errors';
import { lazyHandler } from '../../shared/lambda/lazy-handler';
import { createPowertools } from '../../shared/observability/powertools';
import { verifyApprovalLink } from '../../shared/remediation/approval';

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

/**
 * Who approves, for the audit record: the IAM principal the function URL authenticated (AuthType
 * AWS_IAM), else only the signed link and the address it was posted from.
 */
function approverOf(event: APIGatewayProxyEventV2): string {
  const context = event.requestContext as
    (APIGatewayProxyEventV2['requestContext'] & { authorizer?: { iam?: { userArn?: string } } }) | undefined;
  const principal = context?.authorizer?.iam?.userArn;
  const address = context?.http?.sourceIp ?? 'unknown address';
  return principal ? `${principal} (IAM, ${address})` : `signed link (${address})`;
}

/** Shows (GET) or approves (POST) the remediation of one signed link. */
async function answerApproval(
  event: APIGatewayProxyEventV2,
  deps: ApprovalDeps,
): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext?.http?.method ?? 'GET';
  const params = method === 'POST' ? formParams(event) : (event.queryStringParameters ?? {});
  const key = await deps.key();
  if (!key) return page(503, 'Approval links are not configured', '');
  const checked = verifyApprovalLink(params, key, deps.now());
  if (!checked.ok) return page(403, 'Approval refused', `<p>${escapeHtml(checked.reason)}</p>`);
  const notFound = (error: unknown) => {
    if (error instanceof ApprovalNotFoundError) return undefined;
    throw error;
  };
  const gone = () =>
    page(
      404,
      'No such remediation',
      '<p>No remediation waits under this link: it expired or was removed. Nothing was started.</p>',
    );
  if (method !== 'POST') {
    const current = await deps.remediator.lookup(checked.id).catch(notFound);
    if (!current) return gone();
    const hidden = ['id', 'exp', 'sig']
      .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(params[name] ?? '')}">`)
      .join('');
    return page(
      200,
      'Approve remediation?',
      `<p>Remediation <code>${escapeHtml(checked.id)}</code>: ${escapeHtml(current.action)} (${escapeHtml(current.outcome)}). The exact action is in the alert that carried this link.</p><form method="post">${hidden}<button type="submit">Approve and start</button></form>`,
    );
  }
  const by = approverOf(event);
  const result = await deps.remediator.approve(checked.id, by).catch(notFound);
  if (!result) return gone();
  const done = result.outcome === 'started' && !result.alreadyApproved;
  return page(
    done ? 200 : 409,
    done ? 'Remediation started' : result.alreadyApproved ? 'Already approved' : 'Remediation not started',
    `<p>${escapeHtml(
      `${result.action} (${Object.entries(result.parameters)
        .map(([k, v]) => `${k}=${v}`)
        .join(
          ', ',
        )}): ${result.outcome}${result.executionId ? ` ${result.executionId}` : ''}${result.reason ? ` — ${result.reason}` : ''}`,
    )}</p>`,
  );
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
