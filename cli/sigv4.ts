import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

type Sha256Constructor = ConstructorParameters<typeof SignatureV4>[0]['sha256'];
type Credentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];
type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytes(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** SHA-256 (or HMAC-SHA256 with a secret) over node:crypto, in the shape SignatureV4 expects. */
export const NodeSha256: Sha256Constructor = class NodeSha256 {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }

  update(data: Uint8Array | string): void {
    this.hash.update(bytes(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    this.hash = this.fresh();
  }
};

/** The Region of a Lambda function URL (`https://<id>.lambda-url.<region>.on.aws/`), if it is one. */
export function functionUrlRegion(url: URL): string | undefined {
  return /^[a-z0-9]+\.lambda-url\.([a-z0-9-]+)\.on\.aws$/.exec(url.hostname)?.[1];
}

/** A request to a function URL with AuthType AWS_IAM, signed with SigV4 for the `lambda` service. */
export interface SignedRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
}

/** Signs a POST of a form body to a function URL (service `lambda`), as AuthType AWS_IAM requires. */
export async function signFunctionUrlPost(options: {
  url: URL;
  body: string;
  region: string;
  credentials: Credentials;
  now?: Date;
}): Promise<SignedRequest> {
  const { url, body, region } = options;
  const signer = new SignatureV4({
    service: 'lambda',
    region,
    credentials: options.credentials,
    sha256: NodeSha256,
  });
  const query = Object.fromEntries(url.searchParams);
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers: {
        host: url.host,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body,
    },
    options.now ? { signingDate: options.now } : {},
  );
  return { method: 'POST', url, headers: signed.headers, body };
}
