import * as z from '../zod';
import type { SecretRef } from '../config/primitives';
import type { ConfigProblem } from '../errors';
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
  /** True when it can be the heartbeat's receiver: a plain ping a dead man's switch service watches. */
  readonly heartbeat?: boolean;
  /**
   * The format of its previews, which `klaxon replay --html` draws as the destination would:
   * `block-kit` (a Slack message, or a Web API call whose `body` is one), `events-v2` (a PagerDuty
   * event), `adaptive-card` (a Teams message carrying an Adaptive Card), `email` (a subject and a
   * plain-text body, as a mail client shows them). Absent: shown as JSON.
   */
  readonly previewFormat?: 'block-kit' | 'events-v2' | 'adaptive-card' | 'email';
}

/** What can be done to an incident a receiver opened, from outside the pipeline (a Slack button). */
export type IncidentAction = 'acknowledge' | 'resolve';

/** The ports acting on an incident uses (a subset of a receiver's). */
export type IncidentDeps = Pick<ReceiverDeps, 'secrets' | 'post' | 'clock' | 'retry'>;

/** How a receiver type acknowledges or resolves the incident it opened for an alert. */
export interface IncidentControl<Config> {
  /** The actions it supports. */
  readonly actions: readonly IncidentAction[];
  /** Acts on the incident of `fingerprint` (each type derives its own key from it); throws a DeliveryError. */
  act(action: IncidentAction, fingerprint: string, config: Config, deps: IncidentDeps): Promise<void>;
}

/** What a receiver's cross-checks see of the rest of `klaxon.yml`. */
export interface ReceiverCheckContext {
  /** Every receiver's type and what it can do to its incidents (its descriptor's `incident`), by name. */
  receivers: Readonly<Record<string, { type: string; incidentActions: readonly IncidentAction[] }>>;
  /** True when some remediation rule waits for an approval (`mode: approve`). */
  approvals: boolean;
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
  /** Present when its incidents can be acknowledged or resolved from elsewhere (a Slack button). */
  readonly incident?: IncidentControl<Config>;
  /**
   * Checks what one receiver's config names elsewhere in `klaxon.yml` (other receivers, remediation
   * rules), at load: problems fail the load, each with the path of its key (`receivers.<name>…`).
   */
  crossCheck?(
    name: string,
    config: Config,
    context: ReceiverCheckContext,
  ): { problems: ConfigProblem[]; warnings: ConfigProblem[] };
}

/** A descriptor of any type, as the registry lists them. */
export type AnyReceiverDescriptor = ReceiverDescriptor<string, { type: string }>;
