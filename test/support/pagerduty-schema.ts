import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

/** The vendored copy of PagerDuty's published Events API v2 schema (see test/contracts/README.md). */
export const PAGERDUTY_CONTRACT_PATH = fileURLToPath(
  new URL('../contracts/pagerduty-events-v2.openapi.json', import.meta.url),
);

interface OpenApi {
  paths: Record<string, { post: { requestBody: { content: { 'application/json': { schema: object } } } } }>;
  components: object;
}

function readContract(): OpenApi {
  let text: string;
  try {
    text = readFileSync(PAGERDUTY_CONTRACT_PATH, 'utf8');
  } catch (error) {
    throw new Error(
      `cannot read the vendored PagerDuty Events API v2 schema at test/contracts/pagerduty-events-v2.openapi.json ` +
        `(${(error as NodeJS.ErrnoException).code ?? 'error'}); restore it as test/contracts/README.md describes`,
      { cause: error },
    );
  }
  return JSON.parse(text) as OpenApi;
}

function buildValidator() {
  const spec = readContract();
  const enqueue = spec.paths['/enqueue'];
  if (!enqueue) throw new Error('the PagerDuty contract has no /enqueue path');
  const schema = {
    ...enqueue.post.requestBody.content['application/json'].schema,
    components: spec.components,
  };
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  // PagerDuty's schema uses a non-standard "url" format: an absolute http(s) URL.
  ajv.addFormat('url', (value: string) => URL.canParse(value) && /^https?:/.test(value));
  return ajv.compile(schema);
}

const validate = buildValidator();

/**
 * Checks an Events API v2 body against PagerDuty's published schema plus the documented limits the
 * schema leaves out (summary ≤ 1024, dedup_key ≤ 255, body ≤ 512 KB, payload required on trigger).
 * Returns the problems, empty when the body is valid.
 */
export function pagerDutyProblems(body: unknown): string[] {
  const problems: string[] = [];
  if (!validate(body)) {
    problems.push(...(validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`));
  }
  const event = body as { event_action?: string; dedup_key?: string; payload?: { summary?: string } };
  if (event.event_action === 'trigger' && !event.payload) problems.push('trigger without payload');
  if ((event.payload?.summary?.length ?? 0) > 1024) problems.push('summary longer than 1024');
  if ((event.dedup_key?.length ?? 0) > 255) problems.push('dedup_key longer than 255');
  if (event.event_action !== 'trigger' && !event.dedup_key)
    problems.push('dedup_key required for acknowledge/resolve');
  if (Buffer.byteLength(JSON.stringify(body)) > 512 * 1024) problems.push('body larger than 512 KB');
  return problems;
}
