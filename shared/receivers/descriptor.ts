import * as z from '../zod';
import type { SecretRef } from '../config/primitives';
import type { ReceiverDeps } from './context';
import type { PreparedMessage, Receiver } from './types';

/** Which rendering of a prepared message (the digest) a receiver type posts. */
export type PreparedForm = keyof PreparedMessage;

/** The shared pieces a receiver's config schema is built from (the secret reference lives in the config schema). */
export interface ReceiverSchemaParts {
  secretRefSchema: z.ZodMiniType<SecretRef>;
}

/** A per-request timeout in milliseconds, for receivers that call out over HTTP. */
export const receiverTimeoutSchema = z.number().check(z.int(), z.gte(100), z.lte(30_000));

/** Messages per second a destination accepts (Slack ~1 per webhook, PagerDuty ~2 per routing key). */
export const ratePerSecondSchema = z.number().check(z.positive(), z.lte(100));

/** What the rest of the pipeline asks about a receiver type: paging, pacing, grouping, the digest. */
export interface ReceiverTraits {
  /** True when it pages a human: no-data notices never reach it, resolves always do; `klaxon diff` counts pages. */
  readonly pages: boolean;
  /** The default pace in messages per second (a receiver's `ratePerSecond` overrides it); Infinity: unpaced. */
  readonly ratePerSecond: number;
  /** True when it sends a storm as one message (its receivers implement `sendGroup`). */
  readonly groups: boolean;
  /** The form of a prepared message (the digest) it posts; absent: it cannot post one. */
  readonly prepared?: PreparedForm;
}

/** Everything Klaxon knows about one receiver type: its `klaxon.yml` schema, how it is built, its traits. */
export interface ReceiverDescriptor<
  Type extends string = string,
  Config extends { type: Type } = { type: Type },
> extends ReceiverTraits {
  /** The `type:` value in `klaxon.yml`; also the `receiverType` metric dimension. */
  readonly type: Type;
  /** The strict schema of one receiver of this type, its `type` a literal equal to `type`. */
  configSchema(parts: ReceiverSchemaParts): z.ZodMiniType<Config> & z.core.$ZodTypeDiscriminable;
  /** Builds the receiver named `name` (once per cold start); it reaches the network only through `deps`. */
  build(name: string, config: Config, deps: ReceiverDeps): Receiver;
}

/** A descriptor of any type, as the registry lists them. */
export type AnyReceiverDescriptor = ReceiverDescriptor<string, { type: string }>;
