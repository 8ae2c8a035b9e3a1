import { describe, expect, it } from 'vitest';
import {
  arnPartition,
  consoleHome,
  consolePartitionOf,
  isRegionCode,
  regionPartition,
} from '../../../shared/alert/partition';

describe('partitions from the SDK partition data', () => {
  it('places every partition the SDK knows, the sovereign and isolated ones included', () => {
    expect(
      ['us-east-1', 'cn-north-1', 'us-gov-west-1', 'eusc-de-east-1', 'us-iso-east-1', 'us-isob-east-1'].map(
        regionPartition,
      ),
    ).toEqual(['aws', 'aws-cn', 'aws-us-gov', 'aws-eusc', 'aws-iso', 'aws-iso-b']);
  });

  it('knows no partition for a Region the data neither lists nor matches, whatever the SDK falls back to', () => {
    expect(regionPartition('xx-anon-9')).toBeUndefined();
    expect(regionPartition('global')).toBeUndefined();
    expect(regionPartition('US-EAST-1')).toBeUndefined();
    expect(regionPartition(`us-east-${'1'.repeat(100)}`)).toBeUndefined();
  });

  it('links to the console of aws, aws-cn and aws-us-gov only', () => {
    expect(consoleHome('eu-west-1')).toBe('https://eu-west-1.console.aws.amazon.com');
    expect(consoleHome('cn-northwest-1')).toBe('https://cn-northwest-1.console.amazonaws.cn');
    expect(consoleHome('us-gov-east-1')).toBe('https://us-gov-east-1.console.amazonaws-us-gov.com');
    expect(['eusc-de-east-1', 'us-isob-east-1', 'xx-anon-9'].map(consolePartitionOf)).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(consoleHome('eusc-de-east-1')).toBeUndefined();
  });

  it('accepts any lower-case Region code and reads the partition of an ARN', () => {
    expect(['eusc-de-east-1', 'xx-anon-9', 'global'].every(isRegionCode)).toBe(true);
    expect(['EU (Ireland)', 'us_east_1', '', 'a'.repeat(65)].some(isRegionCode)).toBe(false);
    expect(arnPartition('arn:aws-iso-b:sns:us-isob-east-1:123456789012:t')).toBe('aws-iso-b');
    expect(arnPartition('arn:aws:sns:us-east-1:123456789012:t')).toBe('aws');
    expect(arnPartition('urn:aws:sns')).toBeUndefined();
  });
});
