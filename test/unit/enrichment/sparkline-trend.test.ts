import { describe, expect, it } from 'vitest';
import { downsample, formatValue, SPARK_GAP, sparkline } from '../../../shared/enrichment/sparkline';
import { classifyTrend } from '../../../shared/enrichment/trend';

describe('sparkline', () => {
  it('draws eight levels from the lowest to the highest value', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7]).line).toBe('▁▂▃▄▅▆▇█');
  });

  it('puts the threshold on the same scale and says where it sits', () => {
    const { line, thresholdMark } = sparkline([1, 1, 2, 15], 5);
    expect(line).toBe('▁▁▂█');
    expect(thresholdMark).toBe('▃');
    // A threshold above every value stretches the scale: nothing reaches the top.
    expect(sparkline([1, 2, 3], 10).line).not.toContain('█');
  });

  it('draws gaps for periods without datapoints and a flat line for constant values', () => {
    expect(sparkline([1, undefined, 3]).line).toBe(`▁${SPARK_GAP}█`);
    expect(sparkline([4, 4, 4]).line).toBe('▁▁▁');
    expect(sparkline([undefined, undefined]).line).toBe(SPARK_GAP.repeat(2));
  });

  it('downsamples keeping the extreme of each bucket', () => {
    expect(downsample([1, 9, 2, 3, 8, 1], 3)).toEqual([9, 3, 8]);
    expect(downsample([1, 9, 2, 3, 8, 1], 3, 'min')).toEqual([1, 2, 1]);
    expect(downsample([1, 2], 5)).toEqual([1, 2]);
  });

  it('formats values compactly', () => {
    expect(formatValue(15)).toBe('15');
    expect(formatValue(0.123456)).toBe('0.123');
    expect(formatValue(12_345)).toBe('12.35k');
    expect(formatValue(2_500_000_000)).toBe('2.5G');
  });
});

describe('trend classification', () => {
  const flat = Array.from({ length: 25 }, (_, i) => 1 + (i % 2) * 0.2);

  it('calls a jump at the end of a flat window a spike, and compares with a day earlier', () => {
    const trend = classifyTrend([...flat, 2, 3, 15, 16, 15], [1, 1, 1.1, 0.9]);
    expect(trend.kind).toBe('spike');
    expect(trend.text).toMatch(/^spike: 15 now, ~1\.\d+ before; same window a day earlier ~1 \(15×\)$/);
  });

  it('calls a climb spread over the window a gradual rise', () => {
    const climbing = Array.from({ length: 30 }, (_, i) => 10 + i * 2);
    const trend = classifyTrend(climbing, [10, 11, 10]);
    expect(trend.kind).toBe('gradual rise');
    expect(trend.text).toContain('from ~');
  });

  it('calls a flat window steady and notices when it is usual for the time of day', () => {
    const trend = classifyTrend(
      Array.from({ length: 20 }, () => 50),
      [48, 52, 50],
    );
    expect(trend.kind).toBe('steady');
    expect(trend.text).toContain('usual for this time of day');
  });

  it('looks downwards for LessThan alarms', () => {
    const falling = [...Array.from({ length: 20 }, () => 100), 100, 90, 5, 4, 3];
    expect(classifyTrend(falling, [], 'down').kind).toBe('sudden drop');
    expect(classifyTrend(falling, [], 'up').kind).not.toBe('spike');
  });

  it('says unknown with too few datapoints', () => {
    expect(classifyTrend([3], [])).toMatchObject({ kind: 'unknown' });
    expect(classifyTrend([], []).text).toBe('unknown: no recent datapoints');
  });
});
