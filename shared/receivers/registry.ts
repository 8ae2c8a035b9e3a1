import { z } from 'zod';
import { consoleReceiver } from './console/descriptor';
import type { AnyReceiverDescriptor, ReceiverSchemaParts } from './descriptor';
import { pagerDutyReceiver } from './pagerduty/descriptor';
import { slackReceiver } from './slack/descriptor';
import { snsReceiver } from './sns/descriptor';
import { webhookReceiver } from './webhook/descriptor';

/** Every receiver type Klaxon knows, one descriptor each; adding a type is one folder and one line here. */
export const RECEIVER_DESCRIPTORS = [
  pagerDutyReceiver,
  slackReceiver,
  webhookReceiver,
  snsReceiver,
  consoleReceiver,
] as const;

type Registered = (typeof RECEIVER_DESCRIPTORS)[number];

/** A receiver type (`type:` in `klaxon.yml`). */
export type ReceiverType = Registered['type'];

/** One receiver's configuration, as validated by its type's schema. */
export type ReceiverConfig = Registered extends infer D
  ? D extends { configSchema(parts: ReceiverSchemaParts): z.ZodType<infer C> }
    ? C
    : never
  : never;

/** The registered types, in registry order. */
export const RECEIVER_TYPES: readonly ReceiverType[] = RECEIVER_DESCRIPTORS.map((d) => d.type);

/** The descriptor of a registered type; undefined for a type no descriptor declares. */
export function findReceiverDescriptor(
  type: string,
  descriptors: readonly AnyReceiverDescriptor[] = RECEIVER_DESCRIPTORS,
): AnyReceiverDescriptor | undefined {
  return descriptors.find((descriptor) => descriptor.type === type);
}

/** The `receivers:` entry schema: the registered types' schemas, told apart by `type`. */
export function receiverConfigSchema(
  parts: ReceiverSchemaParts,
  descriptors: readonly [AnyReceiverDescriptor, ...AnyReceiverDescriptor[]] = RECEIVER_DESCRIPTORS,
): z.ZodType<ReceiverConfig> {
  const [first, ...rest] = descriptors;
  // Each schema's output is its descriptor's config; the list erases that, the union restores it.
  return z.discriminatedUnion('type', [
    first.configSchema(parts),
    ...rest.map((descriptor) => descriptor.configSchema(parts)),
  ]) as unknown as z.ZodType<ReceiverConfig>;
}

/** The types that can post a prepared message (the digest), in registry order. */
export function typesPostingPrepared(
  descriptors: readonly AnyReceiverDescriptor[] = RECEIVER_DESCRIPTORS,
): string[] {
  return descriptors.filter((descriptor) => descriptor.prepared !== undefined).map((d) => d.type);
}
