import * as z from '../../zod';
import { DeliveryError } from '../../errors';
import { describeSecretRef } from '../../secrets/secrets';
import {
  ratePerSecondSchema,
  type ReceiverDescriptor,
  type ReceiverSchemaParts,
  type ReceiverTraits,
  receiverTimeoutSchema,
} from '../descriptor';
import { DEFAULT_TIMEOUT_MS, HttpJsonReceiver, type Payload } from '../http-receiver';
import { isAllowedWebhookUrl, renderWebhookBody, renderWebhookGroupBody } from './render';

function configSchema({ secretRefSchema }: ReceiverSchemaParts) {
  return z.strictObject({
    type: z.literal('webhook'),
    url: secretRefSchema,
    secretHeader: z.optional(
      z.strictObject({
        name: z.string().check(z.regex(/^[A-Za-z0-9-]+$/, 'an HTTP header name')),
        value: secretRefSchema,
      }),
    ),
    timeoutMs: z.optional(receiverTimeoutSchema),
    ratePerSecond: z.optional(ratePerSecondSchema),
  });
}

/** A `webhook` receiver's configuration. */
export type WebhookConfig = z.infer<ReturnType<typeof configSchema>>;

const traits: ReceiverTraits = { pages: false, ratePerSecond: 10, groups: true, prepared: 'json' };

/** The generic JSON webhook (version 1 bodies), HTTPS only except to loopback. */
export const webhookReceiver: ReceiverDescriptor<'webhook', WebhookConfig> = {
  type: 'webhook',
  ...traits,
  configSchema,
  build: (name, config, deps) => {
    const render = (payload: Payload): unknown => {
      if (payload.kind === 'alert') return renderWebhookBody(payload.alert, name);
      return payload.kind === 'group' ? renderWebhookGroupBody(payload.group, name) : payload.body;
    };
    return new HttpJsonReceiver(
      {
        name,
        type: 'webhook',
        what: `webhook ${name}`,
        okStatuses: [200, 201, 202, 204],
        timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        plan: async (payload) => {
          const url = await deps.secrets.resolve(config.url);
          if (!isAllowedWebhookUrl(url)) {
            throw new DeliveryError(
              `webhook ${name}: ${describeSecretRef(config.url)} must be an https URL (plain http only to loopback)`,
              false,
            );
          }
          const secrets = [url];
          const headers: Record<string, string> = {};
          if (config.secretHeader) {
            const value = await deps.secrets.resolve(config.secretHeader.value);
            headers[config.secretHeader.name] = value;
            secrets.push(value);
          }
          return { url, body: render(payload), headers, secrets };
        },
        preview: render,
        traits,
      },
      deps,
    );
  },
};
