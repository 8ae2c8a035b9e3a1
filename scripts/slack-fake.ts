/**
 * Starts the loopback fake of the Slack Web API (test/support/fake-slack-api.ts) and prints its URL,
 * for trying a Slack app receiver by hand with `klaxon replay --live` (docs/slack-app.md). It logs
 * each call it answers and, on Ctrl-C, prints every message with its edits and thread replies.
 */
import { startFakeSlackApi } from '../test/support/fake-slack-api';

const channel = process.env.SLACK_FAKE_CHANNEL ?? 'C0ALERTS';
const token = process.env.SLACK_FAKE_TOKEN ?? 'xoxb-test-token';
const port = Number(process.env.SLACK_FAKE_PORT ?? '0');

const slack = await startFakeSlackApi({ token, channels: { [channel]: true }, port });
process.stdout.write(
  [
    `Slack Web API fake: ${slack.url}`,
    `  channel ${channel}, bot token ${token} (a local test value, not a secret)`,
    '  in klaxon.yml: botToken: { env: SLACK_BOT }, channel: ' + channel + ', apiUrl: "' + slack.url + '"',
    `  then: SLACK_BOT=${token} npx klaxon replay --live <firing.json> <ok.json>`,
    '  Ctrl-C prints what was posted and stops.',
    '',
  ].join('\n'),
);

let seen = 0;
const timer = setInterval(() => {
  for (const request of slack.requests.slice(seen)) {
    const body = request.body as { thread_ts?: string; ts?: string; text?: string };
    const where = body.thread_ts ? ` thread ${body.thread_ts}` : body.ts ? ` ts ${body.ts}` : '';
    const error = request.answer.ok === true ? '' : ` -> ${String(request.answer.error)}`;
    process.stdout.write(`${request.method}${where}: ${(body.text ?? '').slice(0, 100)}${error}\n`);
  }
  seen = slack.requests.length;
}, 200);

process.on('SIGINT', () => {
  clearInterval(timer);
  for (const message of slack.messages(channel).filter((m) => !m.threadTs)) {
    process.stdout.write(
      `\n${message.ts} (${message.updates.length} edits): ${message.text.slice(0, 200)}\n`,
    );
    for (const reply of slack.thread(message.ts)) process.stdout.write(`  ↳ ${reply.text.slice(0, 200)}\n`);
  }
  void slack.close().then(() => process.exit(0));
});
