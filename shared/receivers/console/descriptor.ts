import * as z from '../../zod';
import type { ReceiverDescriptor, ReceiverTraits } from '../descriptor';
import { deliveryResult } from '../http-receiver';
import type { Receiver } from '../types';
import { renderWebhookBody, renderWebhookGroupBody } from '../webhook/render';

function configSchema() {
  return z.strictObject({ type: z.literal('console') });
}

/** A `console` receiver's configuration. */
export type ConsoleConfig = z.infer<ReturnType<typeof configSchema>>;

/** The console posts a prepared message's plain-text form. */
const PREPARED_FORM = 'text';

const traits: ReceiverTraits = {
  pages: false,
  ratePerSecond: Number.POSITIVE_INFINITY,
  groups: true,
  prepared: PREPARED_FORM,
};

/** Writes alerts to the log (Lambda) or stdout (replays); previews as the webhook body. */
export const consoleReceiver: ReceiverDescriptor<'console', ConsoleConfig> = {
  type: 'console',
  ...traits,
  configSchema,
  build: (name, _config, deps) => {
    const receiver: Receiver = {
      name,
      type: 'console',
      preview: (alert) => renderWebhookBody(alert, name),
      send: async (alert) => {
        deps.consoleSink(alert, name);
        return deliveryResult(receiver, 'delivered', 1);
      },
      previewGroup: (group) => renderWebhookGroupBody(group, name),
      sendGroup: async (group) => {
        for (const alert of group.alerts) deps.consoleSink(alert, name);
        return deliveryResult(receiver, 'delivered', 1);
      },
    };
    const write = deps.consoleText;
    if (write) {
      receiver.sendPrepared = async (message) => {
        write(message[PREPARED_FORM], name);
        return deliveryResult(receiver, 'delivered', 1);
      };
    }
    return receiver;
  },
};
