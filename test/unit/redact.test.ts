import { describe, expect, it } from 'vitest';
import { REDACTED, redact, redactedExcerpt, redactedJson } from '../../shared/redact';

// Field names from both former lists: the excerpt list (password, secret, token, key, signature)
// and the structured list (secret … ciphertext). Each must be redacted by both paths.
const SECRET_FIELD_NAMES = [
  // the former excerpt list
  'password',
  'clientSecret',
  'sessionToken',
  'apiKey',
  'x-amz-signature',
  // the former structured list
  'passphrase',
  'credentials',
  'private_key',
  'privateKey',
  'session_key',
  'sessionKey',
  'userData',
  'user_data',
  'Authorization',
  'cookie',
  'keyMaterial',
  'plaintext',
  'CiphertextBlob',
];

const ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const TEMPORARY_KEY_ID = 'ASIAIOSFODNN7EXAMPLE';
const SECRET_ACCESS_KEY = 'wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEYab';
const SLACK_WEBHOOK = 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX';

describe('redaction: one list for excerpts and structured data', () => {
  it.each(SECRET_FIELD_NAMES)('redacts the value under "%s" in structured data and in excerpts', (name) => {
    const value = 'hunter2-not-public';
    expect(redact({ [name]: value, keep: 'visible' })).toEqual({ [name]: REDACTED, keep: 'visible' });
    expect(redactedJson({ nested: { [name]: value } })).not.toContain(value);
    const excerpt = redactedExcerpt(JSON.stringify({ [name]: value, keep: 'visible' }));
    expect(excerpt).not.toContain(value);
    expect(excerpt).toContain('"visible"');
  });

  it.each([
    ['an access key id', ACCESS_KEY_ID, 'AKIA[redacted]'],
    ['a temporary access key id', TEMPORARY_KEY_ID, 'ASIA[redacted]'],
    ['a secret access key', SECRET_ACCESS_KEY, '[redacted]'],
    ['a Slack webhook URL', SLACK_WEBHOOK, 'https://hooks.slack.com/[redacted]'],
  ])('masks %s wherever it appears, in excerpts and in structured values', (_what, secret, masked) => {
    const excerpt = redactedExcerpt(`request failed for ${secret} at noon`);
    expect(excerpt).toBe(`request failed for ${masked} at noon`);
    expect(redact({ note: `sent with ${secret}` })).toEqual({ note: `sent with ${masked}` });
  });

  it('leaves names and values without secrets as they are', () => {
    const request = { bucketName: 'logs', acl: 'private', ports: [22, 3389] };
    expect(redact(request)).toEqual(request);
    expect(redactedExcerpt('{ "bucketName":\n  "logs" }')).toBe('{ "bucketName": "logs" }');
  });

  it('keeps identifiers that merely contain "key": a KMS keyId, an EC2 key pair name', () => {
    const request = { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', keyName: 'ops-2026' };
    expect(redact(request)).toEqual(request);
    expect(redactedExcerpt(JSON.stringify(request))).toContain('1234abcd-12ab-34cd-56ef-1234567890ab');
  });

  it('reads only a bounded prefix of a huge input, so its patterns run in linear time', () => {
    const huge = `{"AlarmDescription": "${'a"b '.repeat(85_000)}"}`;
    expect(huge.length).toBeGreaterThan(255_000);
    expect(redactedExcerpt(huge)).toBe(redactedExcerpt(huge.slice(0, 2 * (300 + 256))));
    expect(redact({ note: 'x'.repeat(255_000) })).toEqual(redact({ note: 'x'.repeat(600) }));
  });

  it('hides a secret value that the excerpt cuts in the middle', () => {
    const excerpt = redactedExcerpt(`{"filler":"${'f'.repeat(250)}","password":"${'p'.repeat(2000)}"}`);
    expect(excerpt).not.toMatch(/ppp/);
    expect(excerpt).toContain('"password":"[redacted]"');
  });
});
