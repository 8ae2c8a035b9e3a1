import * as z from '../../../../shared/zod';
import {
  ratePerSecondSchema,
  type ReceiverDescriptor,
  type ReceiverSchemaParts,
  type ReceiverTraits,
} from '../../../../shared/receivers/descriptor';
import {
  DEFAULT_TIMEOUT_MS,
  HttpJsonReceiver,
  type Payload,
} from '../../../../shared/receivers/http-receiver';
import { truncate } from '../../../../shared/receivers/text';
import type { Receiver } from '../../../../shared/receivers/types';

function configSchema({ secretRefSchema }: ReceiverSchemaParts) {
  return z.strictObject({
    type: z.literal('beeper'),
    url: z.url({ protocol: /^https?$/ }),
    token: secretRefSchema,
    ratePerSecond: z.optional(ratePerSecondSchema),
  });
}

/** A `beeper` receiver's configuration. */
export type BeeperConfig = z.infer<ReturnType<typeof configSchema>>;

function render(payload: Payload): unknown {
  if (payload.kind !== 'alert') throw new Error('a beeper takes one alert at a time');
  const { alert } = payload;
  return {
    message: truncate(alert.annotations.summary, 160),
    severity: alert.severity,
    resolved: alert.status === 'resolved',
  };
}

const traits: ReceiverTraits = { pages: true, ratePerSecond: 4, groups: false };

/** A test-only pager with a JSON API, registered by receiver-added.isolated.test.ts alone (one folder, one line). */
export const beeperReceiver: ReceiverDescriptor<'beeper', BeeperConfig> = {
  type: 'beeper',
  ...traits,
  configSchema,
  build: (name, config, deps) =>
    new HttpJsonReceiver(
      {
        name,
        // Registered only at test time, so the static union of receiver types does not name it.
        type: 'beeper' as Receiver['type'],
        what: `beeper ${name}`,
        okStatuses: [200],
        timeoutMs: DEFAULT_TIMEOUT_MS,
        plan: async (payload) => {
          const token = await deps.secrets.resolve(config.token);
          return {
            url: config.url,
            body: render(payload),
            headers: { authorization: `Bearer ${token}` },
            secrets: [token],
          };
        },
        preview: render,
        traits,
      },
      deps,
    ),
};
