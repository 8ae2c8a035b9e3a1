import type { SecretRef } from '../config/primitives';
import { SecretResolutionError } from '../errors';

/** Reads the value behind a secret reference; implementations never log or return the value in errors. */
export interface SecretResolver {
  resolve(ref: SecretRef): Promise<string>;
}

/** How a reference is written in messages: names the secret, never its value. */
export function describeSecretRef(ref: SecretRef): string {
  return 'ssm' in ref ? `ssm:${ref.ssm}` : `env:${ref.env}`;
}

/** Reads an SSM parameter by full name (decrypted, cached). */
export type ParameterReader = (name: string) => Promise<string | undefined>;

/** Resolves `{ssm}` references under the deployment prefix and `{env}` references from the environment. */
export class DeployedSecretResolver implements SecretResolver {
  constructor(
    private readonly ssmPrefix: string | undefined,
    private readonly readParameter: ParameterReader | undefined,
    private readonly env: Readonly<Record<string, string | undefined>>,
  ) {}

  async resolve(ref: SecretRef): Promise<string> {
    if ('env' in ref) {
      const value = this.env[ref.env];
      if (!value)
        throw new SecretResolutionError(`secret ${describeSecretRef(ref)}: the variable is not set`);
      return value;
    }
    if (!this.ssmPrefix || !this.readParameter) {
      throw new SecretResolutionError(
        `secret ${describeSecretRef(ref)}: no SSM prefix configured (set KLAXON_SSM_PREFIX, or use {env: NAME} locally)`,
      );
    }
    const name = `${this.ssmPrefix.replace(/\/+$/, '')}/${ref.ssm}`;
    let value: string | undefined;
    try {
      value = await this.readParameter(name);
    } catch (error) {
      throw new SecretResolutionError(
        `secret ${describeSecretRef(ref)}: SSM parameter ${name} could not be read (${(error as Error).name})`,
        { cause: error },
      );
    }
    if (!value)
      throw new SecretResolutionError(`secret ${describeSecretRef(ref)}: SSM parameter ${name} is empty`);
    return value;
  }
}

/** Replaces every occurrence of the given secret values in text, so errors can be logged safely. */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join('[redacted]');
  }
  return result;
}

/** The environment variable a local run reads an `{ssm: name}` secret from, e.g. `KLAXON_SECRET_PAGERDUTY_ONCALL`. */
export function localSecretVariable(ssmName: string): string {
  return `KLAXON_SECRET_${ssmName.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
}

/** Resolves secrets for local live replays: `{env}` as is, `{ssm: name}` from `KLAXON_SECRET_<NAME>`. */
export class LocalSecretResolver implements SecretResolver {
  constructor(private readonly env: Readonly<Record<string, string | undefined>>) {}

  async resolve(ref: SecretRef): Promise<string> {
    const variable = 'env' in ref ? ref.env : localSecretVariable(ref.ssm);
    const value = this.env[variable];
    if (!value)
      throw new SecretResolutionError(
        `secret ${describeSecretRef(ref)}: set ${variable} for a local live run`,
      );
    return value;
  }
}
