/** A problem located at a key of klaxon.yml. */
export interface ConfigProblem {
  /** The key's path, e.g. `route.routes[1].receiver`. */
  path: string;
  message: string;
}

/** klaxon.yml is unusable: it lists every problem with the path of the bad key. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly problems: ConfigProblem[],
    options?: { cause?: unknown },
  ) {
    super(
      `invalid configuration ${source}:\n${problems.map((p) => `  - ${p.path || '(top level)'}: ${p.message}`).join('\n')}`,
      options,
    );
  }
}

/** An input event that cannot be understood; the message says why, without secrets. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
}

/** A secret could not be resolved; the message names the reference, never the value. */
export class SecretResolutionError extends Error {
  override readonly name = 'SecretResolutionError';
}

/** A receiver rejected or failed a delivery; `retryable` says whether trying again may help. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
  /** How long the peer asked us to wait (Slack's `Retry-After`), in milliseconds. */
  readonly retryAfterMs?: number;
}

/** The state table could not be read or written; callers fail open and record the degradation. */
export class StateStoreError extends Error {
  override readonly name: string = 'StateStoreError';
}

/**
 * The state table refused a write as invalid (an item over 400 KB, a bad attribute): the table is up,
 * so callers handle it apart and never report it as an outage.
 */
export class StateItemRejectedError extends StateStoreError {
  override readonly name = 'StateItemRejectedError';
}

/** The digest could not be posted after its retries; the message names the receiver, never its secret. */
export class DigestDeliveryError extends Error {
  override readonly name = 'DigestDeliveryError';
}

/** No remediation waits under this approval id: it never existed, or its record expired or was removed. */
export class ApprovalNotFoundError extends Error {
  override readonly name = 'ApprovalNotFoundError';
  constructor(
    readonly approvalId: string,
    options?: { cause?: unknown },
  ) {
    super(`no remediation with id ${approvalId}`, options);
  }
}
