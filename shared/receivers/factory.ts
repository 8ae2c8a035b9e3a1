import type { ReceiverDeps } from './context';
import type { AnyReceiverDescriptor } from './descriptor';
import { findReceiverDescriptor, RECEIVER_DESCRIPTORS, type ReceiverConfig } from './registry';
import type { Receiver } from './types';

export { type Clock, type ReceiverDeps, systemClock } from './context';

/** Builds the receiver named `name` from its configuration, with the descriptor of its type. */
export function createReceiver(
  name: string,
  config: ReceiverConfig,
  deps: ReceiverDeps,
  descriptors: readonly AnyReceiverDescriptor[] = RECEIVER_DESCRIPTORS,
): Receiver {
  const descriptor = findReceiverDescriptor(config.type, descriptors);
  // Configurations are validated against the same registry, so an unknown type is a programming error.
  if (!descriptor) throw new TypeError(`no receiver descriptor for type "${config.type}"`);
  return descriptor.build(name, config, deps);
}

/** Builds every configured receiver once (per cold start). */
export function createReceivers(
  receivers: Readonly<Record<string, ReceiverConfig>>,
  deps: ReceiverDeps,
  descriptors: readonly AnyReceiverDescriptor[] = RECEIVER_DESCRIPTORS,
): Map<string, Receiver> {
  return new Map(
    Object.entries(receivers).map(([name, config]) => [
      name,
      createReceiver(name, config, deps, descriptors),
    ]),
  );
}
