import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EXIT } from '../../cli/klaxon';
import { describeFailure } from '../../cli/failure';
import { doctorVerb } from '../../cli/doctor';
import { VERB_HELP } from '../../cli/verbs';
import type { DoctorPort } from '../../shared/onboarding/doctor';
import { StateStoreError } from '../../shared/errors';
import { runCli as run } from '../support/cli';

const scratch = () => mkdtempSync(join(tmpdir(), 'klaxon-failures-'));

/** A failure is one or two lines: no stack frame, no "at file:line". */
function expectShort(stderr: string): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines.length).toBeLessThanOrEqual(2);
  expect(stderr).not.toMatch(/^\s+at /m);
}

describe('AWS verbs without credentials (exit 5, two lines, no stack)', () => {
  beforeEach(() => {
    // A profile that does not exist in files that do not exist: the SDK fails before any network call.
    vi.stubEnv('AWS_PROFILE', 'klaxon-test-no-such-profile');
    vi.stubEnv('AWS_CONFIG_FILE', join(tmpdir(), 'klaxon-no-config'));
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(tmpdir(), 'klaxon-no-credentials'));
    vi.stubEnv('AWS_ACCESS_KEY_ID', '');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', '');
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    vi.stubEnv('AWS_CONTAINER_CREDENTIALS_FULL_URI', '');
    vi.stubEnv('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', '');
    vi.stubEnv('AWS_WEB_IDENTITY_TOKEN_FILE', '');
    vi.stubEnv('AWS_ENDPOINT_URL', '');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each([
    [['silence', 'list', '--stage', 'prod']],
    [['redrive', '--stage', 'prod', '--dry-run']],
    [['approve', 'abc123', '--stage', 'prod']],
    [['drill', '--stage', 'prod', '--alarm', 'checkout-5xx']],
    [['digest', '--stage', 'prod']],
    [['explain', 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:x', '--stage', 'prod']],
  ])('klaxon %j says what is missing and how to fix it', async (args) => {
    const { code, stderr } = await run(...args);
    expect(code).toBe(EXIT.aws);
    expectShort(stderr);
    expect(stderr).toMatch(/^klaxon: no usable AWS credentials or region \(CredentialsProviderError/);
    expect(stderr).toContain('fix: set AWS_PROFILE');
  });

  it('--debug adds the stack trace', async () => {
    const { code, stderr } = await run('silence', 'list', '--stage', 'prod', '--debug');
    expect(code).toBe(EXIT.aws);
    expect(stderr).toMatch(/^\s+at /m);
  });

  it('turns off the SDK Node-version notice', async () => {
    vi.stubEnv('AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', undefined);
    await run('silence', 'list', '--stage', 'prod');
    expect(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('true');
  });
});

describe('describeFailure', () => {
  const awsError = (name: string) =>
    Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: 400 } });

  it.each([
    ['AccessDeniedException', /AWS refused the call/],
    ['QueueDoesNotExist', /not found in this account and region/],
    ['ResourceNotFoundException', /not found in this account and region/],
    ['ThrottlingException', /AWS call failed/],
  ])('%s is exit 5 with a fix', (name, pattern) => {
    const report = describeFailure(new StateStoreError('state table read failed', { cause: awsError(name) }));
    expect(report.code).toBe(EXIT.aws);
    expect(report.lines).toHaveLength(2);
    expect(report.lines[0]).toMatch(pattern);
    expect(report.lines[1]).toMatch(/^fix: /);
  });

  it('an unexpected failure is two lines pointing at --debug, its stack only with it', () => {
    const error = new RangeError('x'.repeat(300_000));
    const report = describeFailure(error);
    expect(report.code).toBe(EXIT.failure);
    expect(report.lines).toEqual([
      expect.stringMatching(/^klaxon: unexpected failure: RangeError: x+$/),
      'run again with --debug for the stack trace',
    ]);
    expect(report.lines[0]!.length).toBeLessThan(400);
    expect(describeFailure(error, true).lines[2]).toContain('RangeError');
  });
});

describe('doctor', () => {
  const failing: DoctorPort = new Proxy({} as DoctorPort, {
    get: () => async () => {
      throw Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' });
    },
  });

  it('exits 5 when a check could not run, rather than passing having checked nothing', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await doctorVerb(
      { stage: 'prod', region: 'eu-west-1', config: 'klaxon.yml', json: false },
      { out: (t) => out.push(t), err: (t) => err.push(t), now: () => new Date() },
      () => failing,
    );
    expect(code).toBe(EXIT.aws);
    expect(out.join('')).toContain('could not check');
    expect(err.join('')).toMatch(/check\(s\) could not run/);
  });

  it('a missing klaxon.yml is exit 3', async () => {
    const { code, stderr } = await run(
      'doctor',
      '--stage',
      'prod',
      '--config',
      join(scratch(), 'klaxon.yml'),
    );
    expect(code).toBe(EXIT.unreadable);
    expectShort(stderr);
  });
});

describe('every verb has its own --help', () => {
  it.each(['replay', 'redrive', 'approve', 'validate', ...Object.keys(VERB_HELP)])(
    'klaxon %s --help',
    async (verb) => {
      const { code, stdout } = await run(verb, '--help');
      expect(code).toBe(EXIT.ok);
      expect(stdout).toMatch(new RegExp(`^klaxon ${verb}\\b`));
      expect(stdout).not.toContain('Usage:');
    },
  );
});

describe('paths', () => {
  it('a missing config file is exit 3 with a fix', async () => {
    const { code, stderr } = await run('validate', join(scratch(), 'nope.yml'));
    expect(code).toBe(EXIT.unreadable);
    expectShort(stderr);
    expect(stderr).toMatch(/ENOENT[^]*fix: /);
  });

  it('--out under a file is exit 3 in two lines', async () => {
    const file = join(scratch(), 'a-file');
    writeFileSync(file, 'x');
    const { code, stderr } = await run(
      'replay',
      'events/cloudwatch-alarm/sns-metric-alarm-5xx.json',
      '--out',
      join(file, 'out'),
    );
    expect(code).toBe(EXIT.unreadable);
    expectShort(stderr);
    expect(stderr).toContain('ENOTDIR');
  });

  it('--out where no directory can be made returns at once (exit 3)', async () => {
    const { code, stderr } = await run(
      'replay',
      'events/cloudwatch-alarm/sns-metric-alarm-5xx.json',
      '--out',
      '/proc/klaxon-nope/out',
    );
    expect(code).toBe(EXIT.unreadable);
    expectShort(stderr);
  }, 5_000);

  it('an unknown option is a usage error pointing at --help', async () => {
    const { code, stderr } = await run('redrive', '--stage', 'prod', '--bogus');
    expect(code).toBe(EXIT.usage);
    expect(stderr).toContain('klaxon <verb> --help');
  });
});
