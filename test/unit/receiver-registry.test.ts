import { describe, expect, it } from 'vitest';
import * as z from '../../shared/zod';
import { secretRefSchema } from '../../shared/config/primitives';
import { receiverSchema } from '../../shared/config/schema';
import { loadConfig } from '../../shared/config/yaml';
import { DEFAULT_RATE_PER_SECOND } from '../../shared/delivery/dispatcher';
import { DIMENSION_VALUES } from '../../shared/observability/metrics';
import { createReceiver } from '../../shared/receivers/factory';
import { RECEIVER_TYPES } from '../../shared/receivers/lookup';
import {
  RECEIVER_DESCRIPTORS,
  type ReceiverConfig,
  type ReceiverType,
} from '../../shared/receivers/registry';
import { isPagingReceiver } from '../../shared/routing/decide';
import { manualClock } from '../support/delivery-fakes';

/** The smallest valid configuration of each registered type. */
const MINIMAL: { [T in ReceiverType]: Extract<ReceiverConfig, { type: T }> } = {
  pagerduty: { type: 'pagerduty', routingKey: { env: 'PD_KEY' } },
  slack: { type: 'slack', webhookUrl: { env: 'SLACK_URL' } },
  webhook: { type: 'webhook', url: { env: 'HOOK_URL' } },
  sns: { type: 'sns' },
  console: { type: 'console' },
  teams: { type: 'teams', webhookUrl: { env: 'TEAMS_URL' } },
  jsm: { type: 'jsm', apiKey: { env: 'JSM_KEY' } },
  email: { type: 'email' },
};

/** The `type` literal of each option of the configuration's receiver union, in order. */
function schemaTypes(): unknown[] {
  const union = receiverSchema as unknown as z.ZodMiniDiscriminatedUnion<
    z.ZodMiniObject<{ type: z.ZodMiniLiteral }>[]
  >;
  return union._zod.def.options.map((option) => option.shape.type._zod.def.values[0]);
}

describe('the receiver registry', () => {
  it('is what the configuration schema, the receiverType metric and the pacing table know', () => {
    expect(RECEIVER_TYPES).toEqual([
      'pagerduty',
      'slack',
      'webhook',
      'sns',
      'console',
      'teams',
      'jsm',
      'email',
    ]);
    expect(schemaTypes()).toEqual(RECEIVER_TYPES);
    expect(DIMENSION_VALUES.receiverType).toEqual(RECEIVER_TYPES);
    expect(Object.keys(DEFAULT_RATE_PER_SECOND)).toEqual(RECEIVER_TYPES);
  });

  it('gives each type a schema that accepts its own type only', () => {
    for (const descriptor of RECEIVER_DESCRIPTORS) {
      const schema = descriptor.configSchema({ secretRefSchema });
      expect(schema.safeParse(MINIMAL[descriptor.type]).success).toBe(true);
      for (const other of RECEIVER_TYPES.filter((type) => type !== descriptor.type)) {
        expect(schema.safeParse({ ...MINIMAL[descriptor.type], type: other }).success).toBe(false);
      }
    }
  });

  it('keeps the traits receivers had: who pages, default pace, grouping, digest form', () => {
    expect(
      Object.fromEntries(
        RECEIVER_DESCRIPTORS.map((d) => [d.type, [d.pages, d.ratePerSecond, d.groups, d.prepared ?? null]]),
      ),
    ).toEqual({
      pagerduty: [true, 2, false, null],
      slack: [false, 1, true, 'slack'],
      webhook: [false, 10, true, 'json'],
      sns: [false, 10, true, null],
      console: [false, Number.POSITIVE_INFINITY, true, 'text'],
      teams: [false, 1, true, 'text'],
      jsm: [true, 2, false, null],
      email: [false, 1, true, 'text'],
    });
    const config = loadConfig(`
receivers:
  pager: { type: pagerduty, routingKey: { env: PD_KEY } }
  chat: { type: slack, webhookUrl: { env: SLACK_URL } }
route: { receiver: chat }
`);
    expect([isPagingReceiver(config, 'pager'), isPagingReceiver(config, 'chat')]).toEqual([true, false]);
    expect(isPagingReceiver(config, 'nobody')).toBe(false);
  });

  it('builds receivers whose type and abilities are those their descriptor declares', () => {
    for (const descriptor of RECEIVER_DESCRIPTORS) {
      const receiver = createReceiver(descriptor.type, MINIMAL[descriptor.type], {
        secrets: { resolve: async () => 'secret' },
        post: async () => ({ status: 200, headers: new Headers(), body: '' }),
        clock: manualClock(),
        consoleSink: () => {},
        consoleText: () => {},
      });
      expect(receiver.type).toBe(descriptor.type);
      expect(typeof receiver.sendGroup === 'function').toBe(descriptor.groups);
      expect(typeof receiver.previewGroup === 'function').toBe(descriptor.groups);
      expect(typeof receiver.sendPrepared === 'function').toBe(descriptor.prepared !== undefined);
    }
  });

  it('posts the form of a prepared message its descriptor names', async () => {
    const posted: unknown[] = [];
    const deps = {
      secrets: { resolve: async () => 'http://127.0.0.1:9/hook' },
      post: async (_url: string, body: string) => {
        posted.push(JSON.parse(body));
        return { status: 200, headers: new Headers(), body: '' };
      },
      clock: manualClock(),
      consoleSink: () => {},
      consoleText: (text: string) => posted.push(text),
    };
    const message = { slack: { text: 'as Block Kit' }, json: { kind: 'as JSON' }, text: 'as text' };
    for (const type of ['slack', 'webhook', 'console'] as const) {
      await createReceiver(type, MINIMAL[type], deps).sendPrepared?.(message);
    }
    expect(posted).toEqual([message.slack, message.json, message.text]);
  });

  it('refuses to build a type no descriptor declares, naming the key', () => {
    const unknown = { type: 'pager' } as unknown as ReceiverConfig;
    expect(() =>
      createReceiver('oncall', unknown, {
        secrets: { resolve: async () => '' },
        post: async () => ({ status: 200, headers: new Headers(), body: '' }),
        clock: manualClock(),
        consoleSink: () => {},
      }),
    ).toThrow(
      'receivers.oncall.type: unknown receiver type "pager" (known: pagerduty, slack, webhook, sns, console, teams, jsm, email)',
    );
  });

  it('tells a digest receiver that cannot post one which types can', () => {
    expect(() =>
      loadConfig(`
receivers:
  pager: { type: pagerduty, routingKey: { env: PD_KEY } }
route: { receiver: pager }
decisionRecords: { enabled: true }
digest: { receiver: pager }
`),
    ).toThrow(
      'digest.receiver: a digest is a chat message: use a slack, webhook, console, teams or email receiver, not pagerduty',
    );
  });
});
