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
import { DEFAULT_TIMEOUT_MS, HttpJsonReceiver } from '../http-receiver';
import { isAllowedWebhookUrl } from '../webhook/render';
import { renderTeamsMessage } from './render';

/** How to leave a retired Office 365 connector, said wherever one is refused. */
export const TEAMS_MIGRATION_HINT =
  'Office 365 connector URLs (*.webhook.office.com) are retired: in Teams, create a Workflows flow from the template "Post to a channel when a webhook request is received", store its URL (logic.azure.com or *.api.powerplatform.com) in SSM and reference it as webhookUrl: { ssm: <name> }';

/** True for the URL of a retired Office 365 connector (incoming webhook). */
export function isRetiredConnectorUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  const host = url.hostname.toLowerCase();
  if (host === 'webhook.office.com' || host.endsWith('.webhook.office.com')) return true;
  return /^outlook\.office(365)?\.com$/.test(host) && url.pathname.toLowerCase().startsWith('/webhook');
}

function webhookUrlSchema(secretRefSchema: ReceiverSchemaParts['secretRefSchema']) {
  // A URL written inline is refused with a reason: a retired connector gets the migration steps, a
  // Workflows URL is told to move to SSM (its `sig` query parameter is the credential).
  return z.pipe(
    z.transform((value: unknown, ctx) => {
      if (typeof value !== 'string') return value;
      ctx.issues.push({
        code: 'custom',
        input: value,
        message: isRetiredConnectorUrl(value)
          ? TEAMS_MIGRATION_HINT
          : 'a secret reference ({ ssm: name } or { env: NAME }), not the URL itself: its sig parameter lets anyone post',
      });
      return value;
    }),
    secretRefSchema,
  );
}

function configSchema({ secretRefSchema }: ReceiverSchemaParts) {
  return z.strictObject({
    type: z.literal('teams'),
    webhookUrl: webhookUrlSchema(secretRefSchema),
    timeoutMs: z.optional(receiverTimeoutSchema),
    ratePerSecond: z.optional(ratePerSecondSchema),
  });
}

/** A `teams` receiver's configuration. */
export type TeamsConfig = z.infer<ReturnType<typeof configSchema>>;

// Power Automate throttles a flow's trigger well above one message a second; Teams itself shows
// channel posts at about that pace, so Klaxon groups storms rather than pacing faster.
const traits: ReceiverTraits = { pages: false, ratePerSecond: 1, groups: true, prepared: 'text' };

/** Microsoft Teams through a Workflows webhook: Adaptive Cards, storms as one card, the digest as text. */
export const teamsReceiver: ReceiverDescriptor<'teams', TeamsConfig> = {
  type: 'teams',
  ...traits,
  configSchema,
  build: (name, config, deps) =>
    new HttpJsonReceiver(
      {
        name,
        type: 'teams',
        what: 'Teams',
        okStatuses: [200, 202],
        timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        plan: async (payload) => {
          const url = await deps.secrets.resolve(config.webhookUrl);
          const where = describeSecretRef(config.webhookUrl);
          if (isRetiredConnectorUrl(url)) {
            throw new DeliveryError(
              `teams ${name}: ${where} holds a retired connector URL. ${TEAMS_MIGRATION_HINT}`,
              false,
            );
          }
          if (!isAllowedWebhookUrl(url)) {
            throw new DeliveryError(
              `teams ${name}: ${where} must be an https URL (plain http only to loopback)`,
              false,
            );
          }
          return { url, body: renderTeamsMessage(payload), secrets: [url] };
        },
        preview: renderTeamsMessage,
        traits,
      },
      deps,
    ),
};
