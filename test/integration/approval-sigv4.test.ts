import { createServer, type IncomingMessage, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveRemediation } from '../../cli/approve';
import { NodeSha256 } from '../../cli/sigv4';
import { createApprovalHandler } from '../../functions/remediator/handler';
import { decisionOf, instanceAlert, remediationConfig, setup } from '../unit/remediation/support';

/**
 * `klaxon approve` against a loopback stand-in for a function URL with AuthType AWS_IAM: the server
 * checks the SigV4 signature as Lambda does (service `lambda`, the caller's secret key), answers
 * {"Message":"Forbidden"} when it does not hold, and otherwise hands the request to the approval
 * handler with the caller in the request context, as the function URL does.
 */

const KEY_ID = 'AKIAEXAMPLEAPPROVER1';
const SECRET = 'approver-secret-key-EXAMPLE-not-real-000001';
const CALLER = 'arn:aws:iam::123456789012:user/alice';
const REGION = 'eu-west-1';

let server: Server;
let url: string;
let handler: ReturnType<typeof createApprovalHandler> | undefined;
const seen: Array<{ authorization?: string; verified: boolean }> = [];

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Signs the received request again with the known secret and compares: what Lambda's SigV4 check does. */
async function verify(request: IncomingMessage, body: string): Promise<boolean> {
  const authorization = request.headers.authorization ?? '';
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$/.exec(
      authorization,
    );
  if (!match || match[1] !== KEY_ID || match[3] !== REGION || match[4] !== 'lambda') return false;
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!date) return false;
  const signingDate = new Date(`${date[1]}-${date[2]}-${date[3]}T${date[4]}:${date[5]}:${date[6]}Z`);
  const signedNames = (match[5] ?? '').split(';');
  const headers = Object.fromEntries(signedNames.map((name) => [name, String(request.headers[name] ?? '')]));
  const target = new URL(request.url ?? '/', `http://${request.headers.host}`);
  const signer = new SignatureV4({
    service: 'lambda',
    region: REGION,
    credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET },
    sha256: NodeSha256,
  });
  const again = await signer.sign(
    {
      method: request.method ?? 'GET',
      protocol: 'http:',
      hostname: target.hostname,
      port: Number(target.port),
      path: target.pathname,
      query: Object.fromEntries(target.searchParams),
      headers,
      body,
    },
    { signingDate },
  );
  return again.headers.authorization === authorization;
}

beforeAll(async () => {
  server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const verified = await verify(request, body);
      seen.push({ authorization: request.headers.authorization, verified });
      if (!verified || !handler) {
        response.writeHead(403, { 'content-type': 'application/json' }).end('{"Message":"Forbidden"}');
        return;
      }
      const answer = await handler({
        headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)])),
        requestContext: {
          http: { method: request.method, sourceIp: '127.0.0.1' },
          authorizer: { iam: { userArn: CALLER, accessKey: KEY_ID } },
        },
        body,
        isBase64Encoded: false,
      } as never);
      response
        .writeHead(answer.statusCode ?? 200, answer.headers as Record<string, string>)
        .end(answer.body ?? '');
    })().catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** A pending approval behind the stand-in, and the CLI's configuration (auth iam, the URL). */
async function pending() {
  const config = remediationConfig(`
remediation:
  approval: { auth: iam, url: '${url}' }
remediations:
  - name: restart-web
    match: { alarmName: 'web-*-unhealthy' }
    action: AWS-RestartEC2Instance
    parameters: { InstanceId: '{{ labels.InstanceId }}' }
    mode: approve
    cooldown: 0s
`);
  const t = setup(config);
  const decided = await t.live(decisionOf(instanceAlert()));
  handler = createApprovalHandler(() => ({
    remediator: t.remediator,
    key: async () => undefined,
    now: () => t.now(),
    auth: 'iam',
  }));
  return { t, config, id: decided.remediation?.approvalId ?? '' };
}

/** Runs with the given credentials in the environment (the SDK's default chain reads them). */
async function withCredentials<T>(secret: string, work: () => Promise<T>): Promise<T> {
  const names = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'] as const;
  const saved = names.map((name) => [name, process.env[name]] as const);
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: secret });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  try {
    return await work();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describe('klaxon approve with remediation.approval.auth: iam', () => {
  it('signs its POST with SigV4 (service lambda): the signature holds, and the IAM caller is the approver', async () => {
    const { t, config, id } = await pending();
    seen.length = 0;
    const result = await withCredentials(SECRET, () =>
      approveRemediation({ id, stage: 'prod', region: REGION, by: 'ignored', config }),
    );
    expect(seen).toEqual([{ authorization: expect.stringMatching(/^AWS4-HMAC-SHA256 /), verified: true }]);
    expect(result).toMatchObject({ outcome: 'started', approvedBy: CALLER });
    expect(t.automation.started).toHaveLength(1);
    // Approving again changes nothing and names the first approver.
    const again = await withCredentials(SECRET, () =>
      approveRemediation({ id, stage: 'prod', region: REGION, by: 'ignored', config }),
    );
    expect(again.reason).toContain(`already approved by ${CALLER}`);
    expect(t.automation.started).toHaveLength(1);
  });

  it('is refused when the signature does not hold (another secret key), and starts nothing', async () => {
    const { t, config, id } = await pending();
    await expect(
      withCredentials('a-different-secret-key-EXAMPLE-000000000', () =>
        approveRemediation({ id, stage: 'prod', region: REGION, by: 'x', config }),
      ),
    ).rejects.toThrow(/the approval endpoint refused \(HTTP 403\): Forbidden/);
    expect(t.automation.started).toEqual([]);
  });

  it('an unsigned request is refused', async () => {
    const { t, id } = await pending();
    const status = await new Promise<number>((resolve, reject) => {
      const call = httpRequest(
        new URL(url),
        { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      call.on('error', reject);
      call.end(`id=${id}`);
    });
    expect(status).toBe(403);
    expect(t.automation.started).toEqual([]);
  });

  it('reports an unknown id as not found', async () => {
    const { config } = await pending();
    await expect(
      withCredentials(SECRET, () =>
        approveRemediation({ id: 'no-such-id', stage: 'prod', region: REGION, by: 'x', config }),
      ),
    ).rejects.toThrow(/^no remediation with id no-such-id$/);
  });
});
