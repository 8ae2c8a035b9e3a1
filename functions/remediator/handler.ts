import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import klaxonYml from '../../klaxon.yml';
import { createSsmClient } from '../../shared/aws/clients';
import { createPowertools } from '../../shared/observability/powertools';
import { verifyApprovalLink } from '../../shared/remediation/approval';
import type { Remediator } from '../../shared/remediation/remediator';
import { deployedPipeline, InvocationClock } from '../../shared/runtime';
import { DeployedSecretResolver } from '../../shared/secrets/secrets';
import { ssmParameterReader } from '../../shared/secrets/ssm';

/**
 * The approval endpoint of signed links (a Lambda function URL). GET shows what would run and a
 * confirm button; only the POST approves, so link previews and scanners never approve anything. The
 * approval itself is `Remediator.approve`, the same call `klaxon approve <id>` makes (and a Slack
 * interactivity endpoint would make, after checking Slack's request signature).
 */

const powertools = createPowertools('klaxon-remediator');
const invocation = new InvocationClock();

/** What the endpoint runs with. */
export interface ApprovalDeps {
  remediator: Remediator;
  /** The HMAC key of the links. */
  key: () => Promise<string | undefined>;
  now: () => number;
}

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

/** Builds the endpoint around dependencies created once (tests inject their own). */
export function createApprovalHandler(build: () => ApprovalDeps) {
  let deps: ApprovalDeps | undefined;
  return async (
    event: APIGatewayProxyEventV2,
    context?: Context,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    if (context) powertools.logger.addContext(context);
    invocation.start(context?.getRemainingTimeInMillis() ?? 30_000);
    deps ??= build();
    const method = event.requestContext?.http?.method ?? 'GET';
    const params = method === 'POST' ? formParams(event) : (event.queryStringParameters ?? {});
    const key = await deps.key();
    if (!key) return page(503, 'Approval links are not configured', '');
    const checked = verifyApprovalLink(params, key, deps.now());
    if (!checked.ok) return page(403, 'Approval refused', `<p>${escapeHtml(checked.reason)}</p>`);
    if (method !== 'POST') {
      const hidden = ['id', 'exp', 'sig']
        .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(params[name] ?? '')}">`)
        .join('');
      return page(
        200,
        'Approve remediation?',
        `<p>Remediation <code>${escapeHtml(checked.id)}</code>. The exact action is in the alert that carried this link.</p><form method="post">${hidden}<button type="submit">Approve and start</button></form>`,
      );
    }
    const by = `signed link (${event.requestContext?.http?.sourceIp ?? 'unknown address'})`;
    const result = await deps.remediator.approve(checked.id, by);
    const done = result.outcome === 'started';
    return page(
      done ? 200 : 409,
      done ? 'Remediation started' : 'Remediation not started',
      `<p>${escapeHtml(
        `${result.action} (${Object.entries(result.parameters)
          .map(([k, v]) => `${k}=${v}`)
          .join(
            ', ',
          )}): ${result.outcome}${result.executionId ? ` ${result.executionId}` : ''}${result.reason ? ` — ${result.reason}` : ''}`,
      )}</p>`,
    );
  };
}

/** The Lambda entry point (function URL) for signed approval links. */
export const handler = createApprovalHandler(() => {
  const pipeline = deployedPipeline(klaxonYml, process.env, powertools, invocation);
  const remediator = pipeline.remediator;
  if (!remediator) throw new Error('klaxon.yml has no remediations: nothing to approve');
  const secret = pipeline.config.remediation.approval.secret;
  const secrets = new DeployedSecretResolver(
    process.env.KLAXON_SSM_PREFIX,
    ssmParameterReader(createSsmClient()),
    process.env,
  );
  return {
    remediator,
    key: async () => (secret ? secrets.resolve(secret) : undefined),
    now: () => Date.now(),
  };
});
