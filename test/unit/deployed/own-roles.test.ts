import { describe, expect, it } from 'vitest';
import { ownRoleArnsOf } from '../../../shared/deployed/env';
import { ConfigError } from '../../../shared/errors';

const names = 'klaxon-prod-{region}-alarmNotifierRole,klaxon-prod-{region}-securityResponderRole';

describe('ownRoleArnsOf', () => {
  it('builds each role ARN from the ops topic partition and account and the function region', () => {
    expect(
      ownRoleArnsOf({
        KLAXON_OWN_ROLE_NAMES: names,
        KLAXON_OPS_TOPIC_ARN: 'arn:aws-us-gov:sns:us-gov-west-1:123456789012:klaxon-prod-ops',
        AWS_REGION: 'us-gov-west-1',
      }),
    ).toEqual([
      'arn:aws-us-gov:iam::123456789012:role/klaxon-prod-us-gov-west-1-alarmNotifierRole',
      'arn:aws-us-gov:iam::123456789012:role/klaxon-prod-us-gov-west-1-securityResponderRole',
    ]);
  });

  it('keeps explicit ARNs (KLAXON_OWN_ROLE_ARNS) and needs nothing else for them', () => {
    expect(ownRoleArnsOf({ KLAXON_OWN_ROLE_ARNS: 'arn:aws:iam::123456789012:role/a, ' })).toEqual([
      'arn:aws:iam::123456789012:role/a',
    ]);
    expect(ownRoleArnsOf({})).toEqual([]);
  });

  it.each([
    [{ AWS_REGION: 'eu-west-1' }],
    [{ KLAXON_OPS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:ops' }],
    [{ KLAXON_OPS_TOPIC_ARN: 'not-an-arn', AWS_REGION: 'eu-west-1' }],
    [{ KLAXON_OPS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:ops', AWS_REGION: 'eu-west-1/../x' }],
  ])('refuses to switch loop prevention off silently (%j)', (env) => {
    expect(() => ownRoleArnsOf({ KLAXON_OWN_ROLE_NAMES: names, ...env })).toThrow(ConfigError);
  });
});
