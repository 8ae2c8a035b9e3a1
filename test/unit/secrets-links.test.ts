import { describe, expect, it } from 'vitest';
import { alarmConsoleUrl, firstUrl } from '../../shared/enrichment/links';
import { SecretResolutionError } from '../../shared/errors';
import {
  DeployedSecretResolver,
  LocalSecretResolver,
  localSecretVariable,
  redactSecrets,
} from '../../shared/secrets/secrets';

describe('secret resolution', () => {
  it('reads {ssm} references under the deployment prefix only', async () => {
    const asked: string[] = [];
    const resolver = new DeployedSecretResolver(
      '/klaxon/prod/',
      async (name) => {
        asked.push(name);
        return 'value';
      },
      {},
    );
    await expect(resolver.resolve({ ssm: 'pagerduty-oncall' })).resolves.toBe('value');
    expect(asked).toEqual(['/klaxon/prod/pagerduty-oncall']);
  });

  it('names the reference, never the value, when reading fails', async () => {
    const resolver = new DeployedSecretResolver(
      '/klaxon/prod',
      async () => {
        throw Object.assign(new Error('not found'), { name: 'ParameterNotFound' });
      },
      {},
    );
    const error = await resolver.resolve({ ssm: 'slack' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretResolutionError);
    expect((error as Error).message).toBe(
      'secret ssm:slack: SSM parameter /klaxon/prod/slack could not be read (ParameterNotFound)',
    );
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('rejects empty values and unset variables', async () => {
    const resolver = new DeployedSecretResolver('/p', async () => '', { SET: 'x' });
    await expect(resolver.resolve({ ssm: 'a' })).rejects.toThrow('is empty');
    await expect(resolver.resolve({ env: 'UNSET' })).rejects.toThrow(
      'secret env:UNSET: the variable is not set',
    );
    await expect(resolver.resolve({ env: 'SET' })).resolves.toBe('x');
    await expect(new DeployedSecretResolver(undefined, undefined, {}).resolve({ ssm: 'a' })).rejects.toThrow(
      'no SSM prefix configured',
    );
  });

  it('maps {ssm} references to KLAXON_SECRET_* variables for local live runs', async () => {
    expect(localSecretVariable('pagerduty-oncall')).toBe('KLAXON_SECRET_PAGERDUTY_ONCALL');
    const resolver = new LocalSecretResolver({
      KLAXON_SECRET_SLACK_ALERTS: 'https://hooks.example/x',
      MY_KEY: 'k',
    });
    await expect(resolver.resolve({ ssm: 'slack-alerts' })).resolves.toBe('https://hooks.example/x');
    await expect(resolver.resolve({ env: 'MY_KEY' })).resolves.toBe('k');
    await expect(resolver.resolve({ ssm: 'missing' })).rejects.toThrow('set KLAXON_SECRET_MISSING');
  });

  it('redacts every occurrence of a secret value', () => {
    expect(redactSecrets('POST https://hooks/abcd failed: https://hooks/abcd', ['https://hooks/abcd'])).toBe(
      'POST [redacted] failed: [redacted]',
    );
  });
});

describe('console links', () => {
  it('point at the alarm in its own region and partition', () => {
    expect(alarmConsoleUrl('aws', 'eu-west-1', 'a b/c')).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/a%20b%2Fc',
    );
    expect(alarmConsoleUrl('aws-cn', 'cn-north-1', 'x')).toMatch(
      /^https:\/\/cn-north-1\.console\.amazonaws\.cn\//,
    );
    expect(alarmConsoleUrl('aws-us-gov', 'us-gov-west-1', 'x')).toMatch(
      /^https:\/\/us-gov-west-1\.console\.amazonaws-us-gov\.com\//,
    );
  });

  it('finds the first URL in a description without trailing punctuation', () => {
    expect(firstUrl('Runbook: https://runbooks.example.com/api-5xx. Owner: payments')).toBe(
      'https://runbooks.example.com/api-5xx',
    );
    expect(firstUrl('no link here')).toBeUndefined();
    expect(firstUrl(undefined)).toBeUndefined();
  });
});
