import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DIGEST_HELP } from '../../cli/digest';
import { EXIT } from '../../cli/klaxon';
import type { Digest } from '../../shared/digest/digest';
import { DynamoStateStore } from '../../shared/state/dynamodb';
import { useMotoEnv } from '../support/aws-env';
import { createStateTable } from '../support/aws-resources';
import { runCli } from '../support/cli';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack';
import { record } from '../unit/digest/support';

const run = runCli;
const AT = '2026-03-14T10:00:00Z';
const AT_MS = Date.parse(AT);

/** A small klaxon.yml (written to a temporary file) with a chat receiver and the given extra keys. */
function configWith(extra: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'klaxon-digest-')), 'klaxon.yml');
  writeFileSync(
    path,
    `receivers:\n  digest-chat: { type: slack, webhookUrl: { env: KLAXON_TEST_DIGEST_WEBHOOK } }\nroute: { receiver: digest-chat }\n${extra}\n`,
  );
  return path;
}

describe('klaxon digest: help and usage', () => {
  it('prints its help, and is listed in the top-level help', async () => {
    const help = await run('digest', '--help');
    expect(help.code).toBe(EXIT.ok);
    expect(help.stdout).toBe(DIGEST_HELP);
    const top = await run('--help');
    expect(top.stdout).toContain('klaxon digest (--stage <stage> | --replay [<event file|dir>...])');
    expect(top.stdout).toContain('digest: the scheduled summary');
  });

  it('needs exactly one of --stage and --replay, and a sane --hours (exit 2)', async () => {
    expect((await run('digest')).code).toBe(EXIT.usage);
    expect((await run('digest', '--stage', 'prod', '--replay')).code).toBe(EXIT.usage);
    expect((await run('digest', '--stage', 'prod', 'events')).code).toBe(EXIT.usage);
    const hours = await run('digest', '--replay', 'events/health', '--hours', 'soon');
    expect(hours.code).toBe(EXIT.usage);
    expect(hours.stderr).toContain('--hours "soon"');
    const post = await run('digest', '--replay', 'events/health', '--post', '--config', configWith(''));
    expect(post.code).toBe(EXIT.usage);
    expect(post.stderr).toContain('no (enabled) digest: section');
  });

  it('exits 4 on a bad configuration and 3 on an unreadable path', async () => {
    const bad = configWith('digest: { receiver: nobody }');
    const config = await run('digest', '--replay', 'events/health', '--config', bad);
    expect(config.code).toBe(EXIT.badConfig);
    expect(config.stderr).toContain('digest.receiver');
    expect((await run('digest', '--replay', 'no/such/dir')).code).toBe(EXIT.unreadable);
  });
});

describe('klaxon digest --replay', () => {
  it('replays fixtures in preview mode and prints the digest of that run', async () => {
    const { code, stdout } = await run(
      'digest',
      '--replay',
      'events/cloudwatch-alarm',
      'events/health',
      'events/codedeploy',
      '--at',
      AT,
    );
    expect(code).toBe(EXIT.ok);
    expect(stdout).toContain('Klaxon digest: the last 24 h (2026-03-13 10:00 UTC to 2026-03-14 10:00 UTC)');
    expect(stdout).toMatch(/By severity: +critical \d+/);
    expect(stdout).toContain('page-critical');
    expect(stdout).toContain('Noisiest alarms (firing transitions):');
    expect(stdout).toMatch(
      /Informational events: \d+ \(aws-health\/health \d+, codedeploy\/deployment \d+\)/,
    );
    expect(stdout).toContain('CodeDeploy deployment d-7XK2M9Q4B of checkout-api/prod-fleet succeeded');
  });

  it('prints the digest as JSON with --json, and an empty one when nothing was replayed in the period', async () => {
    const json = await run('digest', '--replay', 'events/health', '--json', '--at', AT);
    const digest = JSON.parse(json.stdout) as Digest;
    expect(digest.informational.total).toBeGreaterThan(0);
    expect(digest.alerts.firing).toBe(0);
    const empty = await run('digest', '--replay', 'events/unrecognized', '--at', AT);
    expect(empty.stdout).toContain('Nothing to report');
  });
});

describe('klaxon digest --stage (moto) and --post (loopback Slack)', () => {
  const stage = `cli${randomUUID().slice(0, 8)}`;
  let restore: () => void;
  let slack: FakeSlack;

  beforeAll(async () => {
    restore = useMotoEnv(inject('motoEndpoint'));
    slack = await startFakeSlack();
    await createStateTable(`klaxon-${stage}-state`);
    const store = new DynamoStateStore(new DynamoDBClient({}), `klaxon-${stage}-state`);
    for (const [i, minutes] of [50, 40, 30].entries()) {
      const r = record({ at: AT_MS - minutes * 60_000, name: 'api-prod-5xx', severity: 'critical' });
      await store.putSetMember(`decisions#${r.fingerprint}`, `${i}`, r, AT_MS);
    }
    const old = record({ at: AT_MS - 30 * 3_600_000, name: 'last-week' });
    await store.putSetMember(`decisions#${old.fingerprint}`, '0', old, AT_MS);
  });

  afterAll(async () => {
    restore();
    await slack.close();
  });

  it('reads the decision records of the deployed table, over --hours', async () => {
    const day = await run('digest', '--stage', stage, '--at', AT);
    expect(day.code).toBe(EXIT.ok);
    expect(day.stdout).toContain('3 alerts firing');
    expect(day.stdout).toContain('  3  api-prod-5xx');
    expect(day.stdout).not.toContain('last-week');
    const twoDays = await run('digest', '--stage', stage, '--at', AT, '--hours', '48');
    expect(twoDays.stdout).toContain('Klaxon digest: the last 48 h');
    expect(twoDays.stdout).toContain('  1  last-week');
  });

  it('posts it to digest.receiver with --post, the secret from the environment', async () => {
    const path = configWith('digest: { receiver: digest-chat }');
    process.env.KLAXON_TEST_DIGEST_WEBHOOK = slack.webhookUrl('digest');
    try {
      const posted = await run('digest', '--stage', stage, '--at', AT, '--post', '--config', path);
      expect(posted.code).toBe(EXIT.ok);
      expect(posted.stderr).toContain('posted to digest-chat (slack).');
      expect(JSON.stringify(slack.messages('digest'))).toContain('3  api-prod-5xx');
      slack.revoke('digest');
      const failed = await run('digest', '--stage', stage, '--at', AT, '--post', '--config', path);
      expect(failed.code).toBe(EXIT.failure);
      expect(failed.stderr).toContain('posting to digest-chat failed: Slack answered HTTP 404');
      expect(failed.stderr).not.toContain('/services/T000');
    } finally {
      delete process.env.KLAXON_TEST_DIGEST_WEBHOOK;
    }
  });
});
