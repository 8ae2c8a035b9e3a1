import * as z from '../../zod';
import {
  ratePerSecondSchema,
  type ReceiverDescriptor,
  type ReceiverSchemaParts,
  type ReceiverTraits,
  receiverTimeoutSchema,
} from '../descriptor';
import { DEFAULT_TIMEOUT_MS, HttpJsonReceiver, type Payload } from '../http-receiver';
import { SLACK_API_URL } from './api';
import { SlackAppReceiver } from './app';
import { SLACK_ACTIONS, type SlackActionName } from './message-record';
import { renderSlackGroupMessage, renderSlackMessage } from './render';

/** Who may press a button: Slack user ids (`U…`, `W…`) or user-group ids (`S…`). */
const allowSchema = z
  .strictObject({
    users: z.optional(
      z.array(z.string().check(z.regex(/^[UW][A-Z0-9]{2,20}$/, 'a Slack user id such as U0123ABCD'))),
    ),
    groups: z.optional(
      z.array(z.string().check(z.regex(/^S[A-Z0-9]{2,20}$/, 'a Slack user-group id such as S0123ABCD'))),
    ),
  })
  .check(
    z.refine((a) => (a.users?.length ?? 0) + (a.groups?.length ?? 0) > 0, {
      message: 'name at least one user or user group (nobody could press the button)',
    }),
  );

/** The receivers (by name) that acknowledge or resolve the same incident in PagerDuty. */
const pagerDutyNames = z.optional(z.array(z.string().check(z.minLength(1))));

const actionsSchema = z.strictObject({
  acknowledge: z.optional(z.strictObject({ allow: allowSchema, pagerduty: pagerDutyNames })),
  silence: z.optional(z.strictObject({ allow: allowSchema })),
  remediation: z.optional(z.strictObject({ allow: allowSchema })),
  resolve: z.optional(z.strictObject({ allow: allowSchema, pagerduty: pagerDutyNames })),
});

function configSchema({ secretRefSchema }: ReceiverSchemaParts) {
  return z
    .strictObject({
      type: z.literal('slack'),
      /** Webhook mode: an incoming webhook URL (no edits, no threads, no buttons). */
      webhookUrl: z.optional(secretRefSchema),
      /** App mode: a bot token (`xoxb-…`) with `chat:write`. */
      botToken: z.optional(secretRefSchema),
      /** App mode: the channel id (`C…`, `G…`) to post in; the app must be a member. */
      channel: z.optional(
        z.string().check(z.regex(/^[CG][A-Z0-9]{2,20}$/, 'a channel id such as C0123ABCD (not a #name)')),
      ),
      apiUrl: z.optional(z.url({ protocol: /^https?$/ })),
      /** App mode: the app's signing secret, which the interactivity endpoint checks requests with. */
      signingSecret: z.optional(secretRefSchema),
      /** App mode: the buttons its messages offer and who may press them. */
      actions: z.optional(actionsSchema),
      timeoutMs: z.optional(receiverTimeoutSchema),
      ratePerSecond: z.optional(ratePerSecondSchema),
    })
    .check(
      z.superRefine((config, context) => {
        const app = config.botToken !== undefined;
        if (app === (config.webhookUrl !== undefined)) {
          context.addIssue({
            code: 'custom',
            path: ['webhookUrl'],
            message: 'set webhookUrl (incoming webhook) or botToken and channel (Slack app), not both',
          });
        }
        if (app && !config.channel)
          context.addIssue({
            code: 'custom',
            path: ['channel'],
            message: 'a Slack app receiver needs a channel id',
          });
        if (config.actions && !config.signingSecret)
          context.addIssue({
            code: 'custom',
            path: ['signingSecret'],
            message: 'buttons need the app signing secret (the endpoint refuses what it cannot verify)',
          });
        for (const key of ['channel', 'apiUrl', 'actions', 'signingSecret'] as const) {
          if (!app && config[key] !== undefined)
            context.addIssue({
              code: 'custom',
              path: [key],
              message: `${key} needs botToken (Slack app mode)`,
            });
        }
      }),
    );
}

/** A `slack` receiver's configuration. */
export type SlackConfig = z.infer<ReturnType<typeof configSchema>>;

function render(payload: Payload): unknown {
  if (payload.kind === 'alert') return renderSlackMessage(payload.alert);
  return payload.kind === 'group' ? renderSlackGroupMessage(payload.group) : payload.body;
}

const traits: ReceiverTraits = { pages: false, ratePerSecond: 1, groups: true, prepared: 'slack' };

/**
 * Slack: an incoming webhook (Block Kit, storms as one message), or a Slack app (bot token) that
 * edits one message per incident and threads its follow-ups; about one message a second per channel.
 */
export const slackReceiver: ReceiverDescriptor<'slack', SlackConfig> = {
  type: 'slack',
  ...traits,
  configSchema,
  build: (name, config, deps) => {
    if (config.botToken && config.channel) {
      const actions = SLACK_ACTIONS.filter((a): a is SlackActionName => config.actions?.[a] !== undefined);
      return new SlackAppReceiver(
        name,
        {
          botToken: config.botToken,
          channel: config.channel,
          apiUrl: config.apiUrl ?? SLACK_API_URL,
          timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          actions,
        },
        deps,
      );
    }
    const webhookUrl = config.webhookUrl;
    return new HttpJsonReceiver(
      {
        name,
        type: 'slack',
        what: 'Slack',
        okStatuses: [200],
        timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        plan: async (payload) => {
          if (!webhookUrl) throw new Error(`receiver ${name}: no webhookUrl`);
          const url = await deps.secrets.resolve(webhookUrl);
          return { url, body: render(payload), secrets: [url] };
        },
        preview: render,
        traits,
      },
      deps,
    );
  },
};
