import * as z from '../zod';
import type { AnyReceiverDescriptor, ReceiverSchemaParts } from './descriptor';
import { RECEIVER_DESCRIPTORS, type ReceiverConfig, type ReceiverType } from './registry';

/** The registered types, in registry order. */
export const RECEIVER_TYPES: readonly ReceiverType[] = RECEIVER_DESCRIPTORS.map((d) => d.type);

/** The descriptor of a registered type; undefined for a type no descriptor declares. */
export function findReceiverDescriptor(type: string): AnyReceiverDescriptor | undefined {
  return RECEIVER_DESCRIPTORS.find((descriptor) => descriptor.type === type);
}

/** The `receivers:` entry schema: the registered types' schemas, told apart by `type`. */
export function receiverConfigSchema(parts: ReceiverSchemaParts): z.ZodMiniType<ReceiverConfig> {
  const [first, ...rest] = RECEIVER_DESCRIPTORS;
  // Each schema's output is its descriptor's config; the list erases that, the union restores it.
  return z.discriminatedUnion('type', [
    first.configSchema(parts),
    ...rest.map((descriptor) => descriptor.configSchema(parts)),
  ]) as unknown as z.ZodMiniType<ReceiverConfig>;
}

/** The types that can post a prepared message (the digest), in registry order. */
export function typesPostingPrepared(): string[] {
  return RECEIVER_DESCRIPTORS.filter((descriptor) => descriptor.prepared !== undefined).map((d) => d.type);
}

/**
 * The registered type of a built receiver or of its delivery result, for metrics. Receivers are
 * built only from registered descriptors, so an unknown type is a bug; it is counted as `console`
 * rather than failing a delivery over a metric.
 */
export function receiverTypeOf(receiver: { readonly type: string }): ReceiverType {
  return RECEIVER_TYPES.find((type) => type === receiver.type) ?? 'console';
}
