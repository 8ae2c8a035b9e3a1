import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DETECTIONS, type Detection } from '../../../shared/security/catalog';
import { buildDetectionIndex } from '../../../shared/security/detection-index';
import { matchesPattern } from '../../../shared/security/pattern';

const fixtures = join(__dirname, '../../../events/cloudtrail');
const events: unknown[] = readdirSync(fixtures)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(fixtures, f), 'utf8')) as unknown);

const fullScan = (catalog: readonly Detection[], raw: unknown) =>
  catalog.filter((d) => matchesPattern(d.pattern, raw)).map((d) => d.id);
const indexed = (catalog: readonly Detection[], raw: unknown) =>
  buildDetectionIndex(catalog)
    .candidatesFor(raw)
    .filter((d) => matchesPattern(d.pattern, raw))
    .map((d) => d.id);

describe('detection index', () => {
  it('finds the same matches, in the same order, as matching every pattern, over every CloudTrail fixture', () => {
    expect(events.length).toBeGreaterThan(100);
    let hits = 0;
    for (const raw of events) {
      const expected = fullScan(DETECTIONS, raw);
      hits += expected.length;
      expect(indexed(DETECTIONS, raw)).toEqual(expected);
    }
    expect(hits).toBeGreaterThan(50);
  });

  it('narrows a named call to a few candidates and an unknown call to the detections without exact names', () => {
    const index = buildDetectionIndex(DETECTIONS);
    const stop = index.candidatesFor({ detail: { eventName: 'StopLogging' } });
    expect(stop.map((d) => d.id)).toContain('cloudtrail-logging-disabled');
    expect(stop.length).toBeLessThan(DETECTIONS.length / 4);
    const unknown = index.candidatesFor({ detail: { eventName: 'NoSuchCall' } });
    expect(unknown.length).toBeLessThan(stop.length + 1);
    for (const d of unknown) expect(stop).toContain(d);
  });

  it('keeps a detection whose name condition is an operator for every event', () => {
    const byPrefix: Detection = {
      ...DETECTIONS[0]!,
      id: 'prefix-detection',
      pattern: { detail: { eventName: [{ prefix: 'Delete' }] } },
    };
    const exact: Detection = { ...DETECTIONS[0]!, id: 'exact', pattern: { detail: { eventName: ['PutX'] } } };
    const index = buildDetectionIndex([exact, byPrefix]);
    expect(index.candidatesFor({ detail: { eventName: 'DeleteBucket' } }).map((d) => d.id)).toEqual([
      'prefix-detection',
    ]);
    expect(index.candidatesFor({ detail: { eventName: 'PutX' } }).map((d) => d.id)).toEqual([
      'exact',
      'prefix-detection',
    ]);
  });

  it('scans the whole catalog when the event name is not a string, as the pattern language would match any element of an array', () => {
    const index = buildDetectionIndex(DETECTIONS);
    const raw = { source: 'aws.cloudtrail', detail: { eventName: ['Harmless', 'StopLogging'] } };
    expect(index.candidatesFor(raw)).toBe(DETECTIONS);
    expect(index.candidatesFor(null)).toBe(DETECTIONS);
    expect(index.candidatesFor({ detail: 'text' })).toBe(DETECTIONS);
    expect(indexed(DETECTIONS, raw)).toEqual(fullScan(DETECTIONS, raw));
  });
});
