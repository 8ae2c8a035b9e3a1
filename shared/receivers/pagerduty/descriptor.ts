import * as z from '../../zod';
import {
  ratePerSecondSchema,
  type ReceiverDescriptor,
  type ReceiverSchemaParts,
  type ReceiverTraits,
  receiverTimeoutSchema,
} from '../descriptor';
import { DEFAULT_TIMEOUT_MS, HttpJsonReceiver, type Payload, secretPlaceholder } from '../http-receiver';
import { PAGERDUTY_EVENTS_URL, renderPagerDutyEvent } from './render';

function configSchema({ secretRefSchema }: ReceiverSchemaParts) {
  return z.strictObject({
    type: z.literal('pagerduty'),
    routingKey: secretRefSchema,
    /** Override for tests and EU service region; defaults to https://events.pagerduty.com/v2/enqueue. */
    url: z.optional(z.url({ protocol: /^https?$/ })),
    timeoutMs: z.optional(receiverTimeoutSchema),
    ratePerSecond: z.optional(ratePerSecondSchema),
  });
}

/** A `pagerduty` receiver's configuration. */
export type PagerDutyConfig = z.infer<ReturnType<typeof configSchema>>;

function render(payload: Payload, routingKey: string) {
  if (payload.kind !== 'alert') throw new Error('PagerDuty takes one alert per event');
  return renderPagerDutyEvent(payload.alert, routingKey);
}

const traits: ReceiverTraits = { pages: true, ratePerSecond: 2, groups: false };

/** PagerDuty Events API v2: pages a human, one alert per event, at most ~2 events a second per routing key. */
export const pagerDutyReceiver: ReceiverDescriptor<'pagerduty', PagerDutyConfig> = {
  type: 'pagerduty',
  ...traits,
  configSchema,
  build: (name, config, deps) =>
    new HttpJsonReceiver(
      {
        name,
        type: 'pagerduty',
        what: 'PagerDuty',
        okStatuses: [200, 202],
        timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        plan: async (payload) => {
          const routingKey = await deps.secrets.resolve(config.routingKey);
          return {
            url: config.url ?? PAGERDUTY_EVENTS_URL,
            body: render(payload, routingKey),
            secrets: [routingKey],
          };
        },
        preview: (payload) => render(payload, secretPlaceholder(config.routingKey)),
        traits,
      },
      deps,
    ),
};
