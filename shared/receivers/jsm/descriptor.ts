import * as z from '../../zod';
import { SEVERITIES } from '../../alert/alert';
import {
  ratePerSecondSchema,
  type ReceiverDescriptor,
  type ReceiverSchemaParts,
  type ReceiverTraits,
  receiverTimeoutSchema,
} from '../descriptor';
import { DEFAULT_TIMEOUT_MS, HttpJsonReceiver, type Payload, secretPlaceholder } from '../http-receiver';
import { renderJsmRequest } from './render';

/** The JSM Operations alert API (the default). */
export const JSM_API_URL = 'https://api.atlassian.com/jsm/ops/integration';

/** The hosts the integration key may be sent to: JSM Operations, then Opsgenie US and EU until 2027-04-05. */
export const JSM_API_URLS = [JSM_API_URL, 'https://api.opsgenie.com', 'https://api.eu.opsgenie.com'] as const;

const LOOPBACK_URL = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?(\/[A-Za-z0-9/_-]*)?$/;

function configSchema({ secretRefSchema }: ReceiverSchemaParts) {
  return z.strictObject({
    type: z.literal('jsm'),
    /** The API integration's key, sent as `Authorization: GenieKey <key>`. */
    apiKey: secretRefSchema,
    // A fixed list, so that a typo cannot send the key to another host; loopback is for tests.
    apiUrl: z.optional(
      z
        .string()
        .check(
          z.refine(
            (url) => (JSM_API_URLS as readonly string[]).includes(url) || LOOPBACK_URL.test(url),
            `one of ${JSM_API_URLS.join(', ')} (or http://127.0.0.1:<port> for a local test)`,
          ),
        ),
    ),
    /** Overrides of the priority each severity maps to (default critical P1, error P2, warning P3, info P5). */
    priorities: z.optional(z.partialRecord(z.enum(SEVERITIES), z.enum(['P1', 'P2', 'P3', 'P4', 'P5']))),
    /** Tags added to every alert (for JSM routing rules). */
    tags: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(50))).check(z.maxLength(10))),
    timeoutMs: z.optional(receiverTimeoutSchema),
    ratePerSecond: z.optional(ratePerSecondSchema),
  });
}

/** A `jsm` receiver's configuration. */
export type JsmConfig = z.infer<ReturnType<typeof configSchema>>;

const traits: ReceiverTraits = { pages: true, ratePerSecond: 2, groups: false };

/**
 * Jira Service Management Operations (and Opsgenie with `apiUrl`): pages a human; an alert is
 * created with the fingerprint as alias and closed by that alias when it resolves.
 */
export const jsmReceiver: ReceiverDescriptor<'jsm', JsmConfig> = {
  type: 'jsm',
  ...traits,
  configSchema,
  build: (name, config, deps) => {
    const base = config.apiUrl ?? JSM_API_URL;
    const request = (payload: Payload) => {
      if (payload.kind !== 'alert') throw new Error('JSM takes one alert per request');
      return renderJsmRequest(payload.alert, { priorities: config.priorities, tags: config.tags });
    };
    return new HttpJsonReceiver(
      {
        name,
        type: 'jsm',
        what: 'JSM',
        okStatuses: [200, 202],
        timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        plan: async (payload) => {
          const key = await deps.secrets.resolve(config.apiKey);
          const { path, body } = request(payload);
          return {
            url: `${base}${path}`,
            body,
            headers: { authorization: `GenieKey ${key}` },
            secrets: [key],
          };
        },
        preview: (payload) => {
          const { path, body } = request(payload);
          return {
            url: `${base}${path}`,
            headers: { authorization: `GenieKey ${secretPlaceholder(config.apiKey)}` },
            body,
          };
        },
        traits,
      },
      deps,
    );
  },
};
