import { z } from 'zod';
import {
  ratePerSecondSchema,
  type ReceiverDescriptor,
  type ReceiverSchemaParts,
  type ReceiverTraits,
  receiverTimeoutSchema,
} from '../descriptor';
import { DEFAULT_TIMEOUT_MS, HttpJsonReceiver, type Payload } from '../http-receiver';
import { renderSlackGroupMessage, renderSlackMessage } from './render';

function configSchema({ secretRefSchema }: ReceiverSchemaParts) {
  return z.strictObject({
    type: z.literal('slack'),
    webhookUrl: secretRefSchema,
    timeoutMs: receiverTimeoutSchema.optional(),
    ratePerSecond: ratePerSecondSchema.optional(),
  });
}

/** A `slack` receiver's configuration. */
export type SlackConfig = z.infer<ReturnType<typeof configSchema>>;

function render(payload: Payload): unknown {
  if (payload.kind === 'alert') return renderSlackMessage(payload.alert);
  return payload.kind === 'group' ? renderSlackGroupMessage(payload.group) : payload.body;
}

const traits: ReceiverTraits = { pages: false, ratePerSecond: 1, groups: true, prepared: 'slack' };

/** A Slack incoming webhook (Block Kit): storms as one message, about one message a second per webhook. */
export const slackReceiver: ReceiverDescriptor<'slack', SlackConfig> = {
  type: 'slack',
  ...traits,
  configSchema,
  build: (name, config, deps) =>
    new HttpJsonReceiver(
      {
        name,
        type: 'slack',
        what: 'Slack',
        okStatuses: [200],
        timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        plan: async (payload) => {
          const url = await deps.secrets.resolve(config.webhookUrl);
          return { url, body: render(payload), secrets: [url] };
        },
        preview: render,
        traits,
      },
      deps,
    ),
};
