import { alertName } from '../../shared/alert/name';
import { describe, expect, it } from 'vitest';
import { compareSeverity, SEVERITIES } from '../../shared/alert/alert';
import { dedupKeyFor, MAX_DEDUP_KEY_LENGTH } from '../../shared/alert/fingerprint';
import { mapSeverityWord } from '../../shared/alert/severity';

describe('severity scale', () => {
  it('orders critical > error > warning > info', () => {
    expect(SEVERITIES).toEqual(['critical', 'error', 'warning', 'info']);
    expect(compareSeverity('critical', 'info')).toBeLessThan(0);
    expect(compareSeverity('warning', 'error')).toBeGreaterThan(0);
  });

  it.each([
    ['P1', 'critical'],
    ['sev1', 'critical'],
    ['SEV-1', 'critical'],
    ['P2', 'error'],
    ['high', 'error'],
    ['HIGH', 'error'],
    ['P3', 'warning'],
    ['medium', 'warning'],
    ['P4', 'info'],
    ['p5', 'info'],
    ['low', 'info'],
    ['Informational', 'info'],
    ['critical', 'critical'],
  ])('maps %s to %s', (word, expected) => {
    expect(mapSeverityWord(word, 'warning')).toEqual({ severity: expected });
  });

  it('falls back to the default for an unknown word and says so', () => {
    const mapped = mapSeverityWord('catastrophic', 'warning');
    expect(mapped.severity).toBe('warning');
    expect(mapped.note).toContain('unknown severity "catastrophic"');
  });
});

describe('dedup key', () => {
  it('is the fingerprint itself up to 255 characters', () => {
    const arn = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-prod-5xx';
    expect(dedupKeyFor(arn)).toBe(arn);
    const exact = 'a'.repeat(MAX_DEDUP_KEY_LENGTH);
    expect(dedupKeyFor(exact)).toBe(exact);
  });

  it('is a stable hash within the limit when the fingerprint is longer', () => {
    const long = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${'x'.repeat(255)}`;
    const key = dedupKeyFor(long);
    expect(key.length).toBeLessThanOrEqual(MAX_DEDUP_KEY_LENGTH);
    expect(key).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(dedupKeyFor(long)).toBe(key);
    expect(dedupKeyFor(`${long}y`)).not.toBe(key);
  });
});

describe('alertName', () => {
  it('names an alert by its alarm, detection, finding type, informational event, else fingerprint', () => {
    const base = { source: 'x', account: '123456789012', region: 'us-east-1' };
    expect(alertName({ ...base, alarmName: 'api-5xx', detection: 'd' }, 'fp')).toBe('api-5xx');
    expect(alertName({ ...base, detection: 'cis-1-root-usage' }, 'fp')).toBe('cis-1-root-usage');
    expect(alertName({ ...base, findingType: 'Recon:EC2/PortProbe' }, 'fp')).toBe('Recon:EC2/PortProbe');
    expect(alertName({ ...base, kind: 'deployment', service: 'checkout', deploymentId: 'd-1' }, 'fp')).toBe(
      'checkout d-1',
    );
    expect(alertName(base, 'klaxon:notice:abc')).toBe('klaxon:notice:abc');
  });
});
