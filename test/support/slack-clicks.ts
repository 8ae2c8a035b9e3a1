/**
 * A client that presses Klaxon's buttons as Slack would: a `block_actions` payload, form-encoded,
 * signed with the app's signing secret (v0), wrapped in a Lambda function URL event.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { slackSignature } from '../../shared/receivers/slack/signature';
import type { FakeSlackMessage } from './fake-slack-api';

/** The button of a posted message with this `action_id`, or undefined. */
export function findButton(message: FakeSlackMessage, actionId: string): { value: string } | undefined {
  for (const block of message.blocks as Array<{ type: string; elements?: Array<Record<string, unknown>> }>) {
    if (block.type !== 'actions') continue;
    const button = block.elements?.find((e) => e.action_id === actionId);
    if (button && typeof button.value === 'string') return { value: button.value };
  }
  return undefined;
}

/** The form body Slack posts when `user` presses `actionId` on `message`. */
export function clickBody(
  message: FakeSlackMessage,
  actionId: string,
  user: { id: string; name: string },
  value = findButton(message, actionId)?.value ?? '',
): string {
  const payload = {
    type: 'block_actions',
    user: { id: user.id, username: user.name, name: user.name, team_id: 'T0TEAM' },
    team: { id: 'T0TEAM' },
    channel: { id: message.channel, name: 'alerts' },
    container: { type: 'message', channel_id: message.channel, message_ts: message.ts },
    message: { ts: message.ts, text: message.text },
    response_url: 'https://hooks.slack.com/actions/T0TEAM/1/abc',
    actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: '1773481267.1' }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** A function URL event carrying `body`, signed with `secret` at `timestampSeconds` (default now). */
export function signedRequest(
  body: string,
  secret: string,
  options: { timestampSeconds?: number; signature?: string } = {},
): APIGatewayProxyEventV2 {
  const timestamp = String(options.timestampSeconds ?? Math.floor(Date.now() / 1000));
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': options.signature ?? slackSignature(secret, timestamp, body),
    },
    requestContext: { http: { method: 'POST', path: '/', sourceIp: '198.51.100.7' } },
    body,
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}
