import { beforeEach, describe, expect, it, vi } from 'vitest';

const calls = vi.hoisted(() => ({ regions: [] as string[] }));

vi.mock('@aws-sdk/core/client', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@aws-sdk/core/client')>();
  return {
    ...actual,
    partition: (region: string) => {
      calls.regions.push(region);
      return actual.partition(region);
    },
  };
});

const { PARTITION_CACHE_LIMIT, regionPartition } = await import('../../../shared/alert/partition');

describe('the Region partition lookup is asked once per Region code', () => {
  beforeEach(() => {
    calls.regions.length = 0;
  });

  it('answers a repeated Region from memory, with the same answer, an unknown Region included', () => {
    const first = ['us-east-1', 'cn-north-1', 'xx-anon-9'].map(regionPartition);
    const again = ['us-east-1', 'cn-north-1', 'xx-anon-9', 'us-east-1'].map(regionPartition);
    expect(first).toEqual(['aws', 'aws-cn', undefined]);
    expect(again).toEqual(['aws', 'aws-cn', undefined, 'aws']);
    expect(calls.regions).toEqual(['us-east-1', 'cn-north-1', 'xx-anon-9']);
  });

  it('never asks the SDK about text that is not a Region code', () => {
    expect(regionPartition('US-EAST-1')).toBeUndefined();
    expect(calls.regions).toEqual([]);
  });

  it('stops remembering past its bound, so made-up Regions in events cannot grow memory, and still answers', () => {
    regionPartition('us-east-1');
    for (let i = 0; i < PARTITION_CACHE_LIMIT + 10; i += 1) regionPartition(`zz-flood-${i}`);
    calls.regions.length = 0;
    // Past the bound, a new code is asked about every time, and answered as before.
    expect(regionPartition('cn-northwest-1')).toBe('aws-cn');
    expect(regionPartition('cn-northwest-1')).toBe('aws-cn');
    expect(calls.regions).toEqual(['cn-northwest-1', 'cn-northwest-1']);
    // What was remembered before the flood is still answered from memory.
    expect(regionPartition('us-east-1')).toBe('aws');
    expect(calls.regions).toHaveLength(2);
  });
});
