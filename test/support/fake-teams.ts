/**
 * A loopback fake of a Teams Workflows webhook ("When a Teams webhook request is received").
 *
 * Like the real trigger it checks the `sig` query parameter (401), knows its workflows (404),
 * answers 202 Accepted and runs the flow afterwards: the flow's run fails when the message is not a
 * valid Adaptive Card message, is larger than 28 KB or carries buttons that call back (a Workflows
 * bot cannot receive them). Tests read those runs; they can also script 429 with `Retry-After`,
 * 5xx and delays.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as realSetTimeout } from 'node:timers';

/** The size limit of a message posted by a Workflows flow (see limits in the receivers docs). */
export const TEAMS_MESSAGE_MAX_BYTES = 28 * 1024;

const ELEMENT_TYPES = new Set([
  'TextBlock',
  'Container',
  'FactSet',
  'ColumnSet',
  'Column',
  'Image',
  'ActionSet',
  'RichTextBlock',
]);
const ACTION_TYPES = new Set(['Action.OpenUrl', 'Action.ShowCard', 'Action.ToggleVisibility']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function elementProblem(element: unknown): string | undefined {
  if (!isRecord(element) || typeof element.type !== 'string') return 'element without a type';
  if (!ELEMENT_TYPES.has(element.type)) return `unknown element type ${element.type}`;
  if (element.type === 'TextBlock' && typeof element.text !== 'string') return 'TextBlock without text';
  if (element.type === 'FactSet') {
    if (!Array.isArray(element.facts)) return 'FactSet without facts';
    const bad = element.facts.some(
      (f) => !isRecord(f) || typeof f.title !== 'string' || typeof f.value !== 'string',
    );
    if (bad) return 'fact without a string title and value';
  }
  if (element.type === 'Container') {
    if (!Array.isArray(element.items)) return 'Container without items';
    for (const item of element.items) {
      const problem = elementProblem(item);
      if (problem) return problem;
    }
  }
  return undefined;
}

function actionProblem(action: unknown): string | undefined {
  if (!isRecord(action) || typeof action.type !== 'string') return 'action without a type';
  if (action.type === 'Action.Submit' || action.type === 'Action.Execute') {
    return `${action.type} cannot be received by a Workflows flow`;
  }
  if (!ACTION_TYPES.has(action.type)) return `unknown action type ${action.type}`;
  if (action.type === 'Action.OpenUrl' && (typeof action.url !== 'string' || !URL.canParse(action.url))) {
    return 'Action.OpenUrl without a valid url';
  }
  return undefined;
}

/** Why a flow posting this message to a channel would fail, or `undefined` when it would post. */
export function teamsMessageProblem(raw: string): string | undefined {
  if (Buffer.byteLength(raw) > TEAMS_MESSAGE_MAX_BYTES) return 'RequestEntityTooLarge: message over 28 KB';
  let message: unknown;
  try {
    message = JSON.parse(raw);
  } catch (error) {
    return `InvalidJSON: ${(error as Error).message}`;
  }
  if (!isRecord(message) || message.type !== 'message') return 'type must be "message"';
  const { attachments } = message;
  if (!Array.isArray(attachments) || attachments.length === 0) return 'attachments must be a non-empty array';
  for (const attachment of attachments) {
    if (!isRecord(attachment) || attachment.contentType !== 'application/vnd.microsoft.card.adaptive') {
      return 'attachment contentType must be application/vnd.microsoft.card.adaptive';
    }
    const card = attachment.content;
    if (!isRecord(card) || card.type !== 'AdaptiveCard') return 'content must be an AdaptiveCard';
    if (typeof card.version !== 'string' || !/^1\.[0-5]$/.test(card.version)) {
      return 'card version must be 1.0 to 1.5';
    }
    if (!Array.isArray(card.body) || card.body.length === 0) return 'card body must be a non-empty array';
    for (const element of card.body) {
      const problem = elementProblem(element);
      if (problem) return problem;
    }
    if (card.actions !== undefined) {
      if (!Array.isArray(card.actions)) return 'actions must be an array';
      for (const action of card.actions) {
        const problem = actionProblem(action);
        if (problem) return problem;
      }
    }
  }
  return undefined;
}

/** A scripted answer for the next request: a status (429 with `Retry-After`, 5xx) and/or a delay. */
export interface TeamsBehaviour {
  status?: 429 | 500 | 502 | 503;
  retryAfter?: number;
  delayMs?: number;
}

/** One request the fake received and what became of it. */
export interface RecordedTeamsRequest {
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  status: number;
  /** The flow run after a 202: `Succeeded` with the message, or `Failed` with the reason. */
  run?: { status: 'Succeeded'; message: unknown } | { status: 'Failed'; error: string };
}

/** A running fake Workflows webhook. */
export interface FakeTeams {
  /** The trigger URL of a workflow, with its `sig`. */
  webhookUrl(workflow?: string): string;
  /** A retired Office 365 connector URL (for the refusal tests; it is never contacted). */
  readonly retiredUrl: string;
  requests: RecordedTeamsRequest[];
  /** The messages the flow posted to the channel, in order. */
  posted(): unknown[];
  script(behaviours: TeamsBehaviour[]): void;
  close(): Promise<void>;
}

const SIG = 'fake-signature-0123456789';

function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

/** Starts the fake on 127.0.0.1; `workflows` are the flow ids it knows (default `alerts`). */
export async function startFakeTeams(workflows: string[] = ['alerts']): Promise<FakeTeams> {
  const requests: RecordedTeamsRequest[] = [];
  const script: TeamsBehaviour[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://fake');
      const record: RecordedTeamsRequest = { path: url.pathname, headers: req.headers, rawBody, status: 0 };
      requests.push(record);
      const answer = (status: number, body: string, headers: Record<string, string> = {}) => {
        record.status = status;
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        res.end(body);
      };
      const behaviour = script.shift();
      const respond = () => {
        const match = /^\/workflows\/([^/]+)\/triggers\/manual\/paths\/invoke$/.exec(url.pathname);
        if (req.method !== 'POST') return answer(405, errorBody('MethodNotAllowed', 'POST only'));
        if (!match || !workflows.includes(match[1] ?? '')) {
          return answer(404, errorBody('WorkflowNotFound', 'The workflow could not be found.'));
        }
        if (url.searchParams.get('sig') !== SIG) {
          return answer(
            401,
            errorBody(
              'DirectApiAuthorizationRequired',
              'The request must be authenticated by its signature.',
            ),
          );
        }
        if (behaviour?.status === 429) {
          return answer(
            429,
            errorBody('WorkflowTriggeredTooManyTimes', 'Rate limit is exceeded. Try again later.'),
            { 'retry-after': String(behaviour.retryAfter ?? 1) },
          );
        }
        if (behaviour?.status !== undefined) {
          return answer(behaviour.status, errorBody('ServiceUnavailable', 'The service is unavailable.'));
        }
        const problem = teamsMessageProblem(rawBody);
        record.run =
          problem === undefined
            ? { status: 'Succeeded', message: JSON.parse(rawBody) }
            : { status: 'Failed', error: problem };
        return answer(202, '');
      };
      if (behaviour?.delayMs) realSetTimeout(respond, behaviour.delayMs);
      else respond();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    webhookUrl: (workflow = 'alerts') =>
      `${base}/workflows/${workflow}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${SIG}`,
    retiredUrl:
      'https://contoso.webhook.office.com/webhookb2/00000000-0000-0000-0000-000000000000@00000000-0000-0000-0000-000000000000/IncomingWebhook/0123456789abcdef/00000000-0000-0000-0000-000000000000',
    requests,
    posted: () => requests.flatMap((r) => (r.run?.status === 'Succeeded' ? [r.run.message] : [])),
    script: (behaviours) => {
      script.push(...behaviours);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
