import { describe, expect, it } from 'vitest';
import {
  type EventPattern,
  eventPatternSchema,
  isScalarOnlyFor,
  matchesPattern,
  patternPaths,
} from '../../../shared/security/pattern';

const event = {
  source: 'aws.ec2',
  'detail-type': 'AWS API Call via CloudTrail',
  detail: {
    eventName: 'AuthorizeSecurityGroupIngress',
    errorCode: undefined,
    userIdentity: { type: 'IAMUser', userName: 'alice' },
    requestParameters: null,
    readOnly: false,
    severity: 7.5,
    tags: ['prod', 'pci'],
    items: [{ cidr: '0.0.0.0/0' }, { cidr: '10.0.0.0/8' }],
    MFAUsed: 'YES',
  },
};

function matches(pattern: EventPattern): boolean {
  return matchesPattern(pattern, event);
}

describe('EventBridge pattern matcher', () => {
  it('matches exact values, ANDs fields and ORs the values listed for one field', () => {
    expect(matches({ source: ['aws.ec2'] })).toBe(true);
    expect(matches({ source: ['aws.s3', 'aws.ec2'] })).toBe(true);
    expect(matches({ source: ['aws.ec2'], detail: { eventName: ['StopLogging'] } })).toBe(false);
    expect(matches({ detail: { readOnly: [false] } })).toBe(true);
    expect(matches({ detail: { readOnly: ['false'] } })).toBe(false);
    expect(matches({ detail: { severity: [7.5] } })).toBe(true);
  });

  it('matches null only against a present null', () => {
    expect(matches({ detail: { requestParameters: [null] } })).toBe(true);
    expect(matches({ detail: { responseElements: [null] } })).toBe(false);
  });

  it('supports prefix, suffix and equals-ignore-case on strings only', () => {
    expect(matches({ detail: { eventName: [{ prefix: 'Authorize' }] } })).toBe(true);
    expect(matches({ detail: { eventName: [{ suffix: 'Ingress' }] } })).toBe(true);
    expect(matches({ detail: { eventName: [{ suffix: 'Egress' }] } })).toBe(false);
    expect(matches({ detail: { MFAUsed: [{ 'equals-ignore-case': 'yes' }] } })).toBe(true);
    expect(matches({ detail: { severity: [{ prefix: '7' }] } })).toBe(false);
  });

  it('supports anything-but with a value, a list and nested string operators, never matching a missing field', () => {
    expect(matches({ detail: { userIdentity: { type: [{ 'anything-but': 'Root' }] } } })).toBe(true);
    expect(matches({ detail: { userIdentity: { type: [{ 'anything-but': ['IAMUser', 'Root'] }] } } })).toBe(
      false,
    );
    expect(matches({ detail: { MFAUsed: [{ 'anything-but': { 'equals-ignore-case': 'yes' } }] } })).toBe(
      false,
    );
    expect(matches({ detail: { MFAUsed: [{ 'anything-but': 'Yes' }] } })).toBe(true);
    expect(matches({ detail: { eventName: [{ 'anything-but': { prefix: 'Describe' } }] } })).toBe(true);
    expect(matches({ detail: { missing: [{ 'anything-but': 'x' }] } })).toBe(false);
  });

  it('supports exists, including under a missing parent', () => {
    expect(matches({ detail: { errorCode: [{ exists: false }] } })).toBe(true);
    expect(matches({ detail: { eventName: [{ exists: true }] } })).toBe(true);
    expect(matches({ detail: { userIdentity: { invokedBy: [{ exists: false }] } } })).toBe(true);
    expect(matches({ detail: { sessionContext: { attributes: { x: [{ exists: false }] } } } })).toBe(true);
    expect(matches({ detail: { sessionContext: { attributes: { x: [{ exists: true }] } } } })).toBe(false);
  });

  it('supports numeric ranges', () => {
    expect(matches({ detail: { severity: [{ numeric: ['>=', 7, '<', 9] }] } })).toBe(true);
    expect(matches({ detail: { severity: [{ numeric: ['>=', 9] }] } })).toBe(false);
  });

  it('matches any element of an array, including through arrays of objects (as AWS does)', () => {
    expect(matches({ detail: { tags: ['pci'] } })).toBe(true);
    expect(matches({ detail: { items: { cidr: ['0.0.0.0/0'] } } })).toBe(true);
    expect(matches({ detail: { items: { cidr: ['::/0'] } } })).toBe(false);
  });

  it('knows which patterns stay on scalar paths for a given event', () => {
    expect(isScalarOnlyFor({ detail: { eventName: ['x'] } }, event)).toBe(true);
    expect(isScalarOnlyFor({ detail: { tags: ['pci'] } }, event)).toBe(true);
    expect(isScalarOnlyFor({ detail: { items: { cidr: ['0.0.0.0/0'] } } }, event)).toBe(false);
    expect(patternPaths({ source: ['a'], detail: { a: { b: ['c'] } } })).toEqual(['source', 'detail.a.b']);
  });

  it('rejects malformed patterns and the unsupported $or', () => {
    const bad: unknown[] = [
      {},
      { source: [] },
      { source: 'aws.ec2' },
      { source: [{ prefix: '' }] },
      { source: [{ wildcard: 'aws.*' }] },
      { detail: { severity: [{ numeric: ['>', 'x'] }] } },
      { detail: { severity: [{ numeric: ['!', 1] }] } },
      { $or: [{ source: ['a'] }] },
      { source: [{ prefix: 'a', suffix: 'b' }] },
    ];
    for (const pattern of bad)
      expect(eventPatternSchema.safeParse(pattern).success, JSON.stringify(pattern)).toBe(false);
    expect(
      eventPatternSchema.safeParse({
        detail: { a: [{ 'anything-but': { prefix: 'x' } }], b: [null, 1, true] },
      }).success,
    ).toBe(true);
  });
});
