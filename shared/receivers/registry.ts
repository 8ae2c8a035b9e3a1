import type * as z from '../zod';
import { consoleReceiver } from './console/descriptor';
import type { ReceiverSchemaParts } from './descriptor';
import { emailReceiver } from './email/descriptor';
import { jsmReceiver } from './jsm/descriptor';
import { pagerDutyReceiver } from './pagerduty/descriptor';
import { slackReceiver } from './slack/descriptor';
import { snsReceiver } from './sns/descriptor';
import { teamsReceiver } from './teams/descriptor';
import { webhookReceiver } from './webhook/descriptor';

/** Every receiver type Klaxon knows, one descriptor each; adding a type is one folder and one line here. */
export const RECEIVER_DESCRIPTORS = [
  pagerDutyReceiver,
  slackReceiver,
  webhookReceiver,
  snsReceiver,
  consoleReceiver,
  teamsReceiver,
  jsmReceiver,
  emailReceiver,
] as const;

type Registered = (typeof RECEIVER_DESCRIPTORS)[number];

/** A receiver type (`type:` in `klaxon.yml`). */
export type ReceiverType = Registered['type'];

/** One receiver's configuration, as validated by its type's schema. */
export type ReceiverConfig = Registered extends infer D
  ? D extends { configSchema(parts: ReceiverSchemaParts): z.ZodMiniType<infer C> }
    ? C
    : never
  : never;
