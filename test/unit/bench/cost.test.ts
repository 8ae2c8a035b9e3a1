import { describe, expect, it } from 'vitest';
import { costPerMillionAlerts, LIST_PRICES, type MeasuredUsage } from '../../../bench/lib/cost';

const usage: MeasuredUsage = {
  alerts: 1000,
  invocations: 1000,
  billedMs: 100_000,
  memoryMb: 256,
  writeUnits: 3000,
  readUnits: 2000,
  sqsRequests: 100,
  snsPublishes: 500,
  logBytes: 2_000_000,
};

const line = (cost: ReturnType<typeof costPerMillionAlerts>, prefix: string) =>
  cost.lines.find((l) => l.item.startsWith(prefix));

describe('the cost model', () => {
  it('scales the measured usage to a million alerts at list prices', () => {
    const cost = costPerMillionAlerts(usage);
    // 1M invocations of 100 ms at 256 MB: 25,000 GB-s.
    expect(line(cost, 'Lambda duration')).toMatchObject({ quantity: 25_000, unit: 'GB-s' });
    expect(line(cost, 'Lambda duration')?.usd).toBeCloseTo(25_000 * 0.0000133334, 6);
    expect(line(cost, 'Lambda requests')?.usd).toBeCloseTo(0.2, 6);
    expect(line(cost, 'DynamoDB writes')).toMatchObject({ quantity: 3_000_000 });
    expect(line(cost, 'DynamoDB writes')?.usd).toBeCloseTo(1.875, 6);
    expect(line(cost, 'DynamoDB reads')?.usd).toBeCloseTo(0.25, 6);
    expect(line(cost, 'SQS')?.usd).toBeCloseTo(0.04, 6);
    expect(line(cost, 'SNS')?.usd).toBeCloseTo(0.25, 6);
    // 2 GB (decimal) of logs per million alerts is 1.86 GiB at $0.50.
    expect(line(cost, 'CloudWatch Logs')?.usd).toBeCloseTo((2e9 / 1024 ** 3) * 0.5, 6);
    expect(cost.totalUsd).toBeCloseTo(
      cost.lines.reduce((sum, l) => sum + l.usd, 0),
      9,
    );
  });

  it('names the memory size in the duration line, and takes other prices', () => {
    const cost = costPerMillionAlerts(
      { ...usage, memoryMb: 512 },
      { ...LIST_PRICES, dynamoPerMillionWriteUnits: 1.25 },
    );
    expect(line(cost, 'Lambda duration')?.item).toContain('512 MB');
    expect(line(cost, 'Lambda duration')?.quantity).toBe(50_000);
    expect(line(cost, 'DynamoDB writes')?.usd).toBeCloseTo(3.75, 6);
  });

  it('refuses usage that covers no alert rather than dividing by zero', () => {
    expect(() => costPerMillionAlerts({ ...usage, alerts: 0 })).toThrow(RangeError);
  });
});
