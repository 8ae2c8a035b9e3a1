import { ConfigError } from '../errors';
import type { ReceiverDeps } from './context';
import { findReceiverDescriptor, RECEIVER_TYPES } from './lookup';
import type { ReceiverConfig } from './registry';
import type { Receiver } from './types';

export { type Clock, type ReceiverDeps, systemClock } from './context';

/** Builds the receiver named `name` from its configuration, with the descriptor of its type. */
export function createReceiver(name: string, config: ReceiverConfig, deps: ReceiverDeps): Receiver {
  const descriptor = findReceiverDescriptor(config.type);
  if (!descriptor) {
    // Unreachable for a validated klaxon.yml (its schema is built from the same registry).
    const known = RECEIVER_TYPES.join(', ');
    throw new ConfigError('receivers', [
      { path: `receivers.${name}.type`, message: `unknown receiver type "${config.type}" (known: ${known})` },
    ]);
  }
  return descriptor.build(name, config, deps);
}

/** Builds every configured receiver once (per cold start). */
export function createReceivers(
  receivers: Readonly<Record<string, ReceiverConfig>>,
  deps: ReceiverDeps,
): Map<string, Receiver> {
  return new Map(
    Object.entries(receivers).map(([name, config]) => [name, createReceiver(name, config, deps)]),
  );
}
