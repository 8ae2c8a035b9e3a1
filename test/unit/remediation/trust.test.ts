import { describe, expect, it } from 'vitest';
import { createApprovalHandler } from '../../../functions/remediator/handler';
import { accountOfRoles } from '../../../shared/deployed/env';
import { approvalLink } from '../../../shared/remediation/approval';
import { provenanceOf } from '../../../shared/stages/provenance';
import type { RemediationRecord } from '../../../shared/remediation/remediator';
import { decisionOf, instanceAlert, OWN_ROLE, remediationConfig, setup } from './support';

const RULE = (mode: string, settings = '') => `
remediation:
  approval: { url: 'https://approve.example.com/' }
${settings}
remediations:
  - name: restart-web
    match: { alarmName: 'web-*-unhealthy' }
    action: AWS-RestartEC2Instance
    parameters: { InstanceId: '{{ labels.InstanceId }}' }
    mode: ${mode}
    cooldown: 0s
`;

const SG_RULE = `
remediations:
  - name: close-sg
    match: { detection: sg-open-to-world }
    action: AWS-DisablePublicAccessForSecurityGroup
    parameters: { GroupId: '{{ labels.resource }}' }
    mode: auto
`;

/** A CloudTrail security-group detection as the normalizer makes it. */
function sgAlert(path: 'eventbridge' | 'sns', account = '123456789012') {
  return instanceAlert(
    1,
    { source: 'cloudtrail', account, detection: 'sg-open-to-world', resource: 'sg-0123456789abcdef0' },
    {
      path,
      metric: undefined,
      provenance: provenanceOf(
        { labels: { source: 'cloudtrail', account, region: 'us-east-1' } },
        path === 'sns'
          ? { kind: 'sns', index: 0, topicArn: TOPIC, messageId: 'm-1', message: '{}' }
          : { kind: 'eventbridge', index: 0, event: { source: 'aws.ec2' } },
        NO_LISTS,
      ),
    },
  );
}

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:klaxon-prod-alarms';
const NO_LISTS = { alarmTopics: [], eventBridgeOverSns: [] };

describe('remediation targets come from the event, never from tags', () => {
  it("starts on the alarm's own InstanceId dimension", async () => {
    const t = setup(remediationConfig(RULE('auto')));
    const result = await t.live(decisionOf(instanceAlert()));
    expect(result.remediation).toMatchObject({ outcome: 'started' });
    expect(t.automation.started[0]?.parameters).toEqual({ InstanceId: ['i-0a1b2c3d4e5f67890'] });
  });

  it('refuses an InstanceId that only an alarm tag gave (a load-balancer alarm tagged InstanceId=…)', async () => {
    const t = setup(remediationConfig(RULE('auto')));
    const tagged = instanceAlert(
      1,
      { InstanceId: 'i-0fedcba9876543210' },
      { metric: { dimensions: { LoadBalancer: 'app/web/0123456789abcdef' } } },
    );
    const result = await t.live(decisionOf(tagged));
    expect(result.remediation).toMatchObject({ outcome: 'skipped' });
    expect(result.remediation?.reason).toMatch(/label InstanceId is not a dimension of the alarm's metric/);
    expect(t.automation.started).toEqual([]);
  });

  it('refuses a tag that disagrees with the dimension of the same name', async () => {
    const t = setup(remediationConfig(RULE('auto')));
    const forged = instanceAlert(
      1,
      { InstanceId: 'i-0fedcba9876543210' },
      { metric: { dimensions: { InstanceId: 'i-0a1b2c3d4e5f67890' } } },
    );
    expect((await t.live(decisionOf(forged))).remediation?.outcome).toBe('skipped');
    expect(t.automation.started).toEqual([]);
  });

  it("acts only in the stack's own account by default", async () => {
    const t = setup(remediationConfig(RULE('auto')));
    const foreign = instanceAlert(1, { account: '111122223333' });
    const result = await t.live(decisionOf(foreign));
    expect(result.remediation?.reason).toMatch(/account 111122223333 is not an allowed account/);
    expect(t.automation.started).toEqual([]);
  });

  it('acts in the accounts remediation.allowedAccounts lists, and only those', async () => {
    const t = setup(remediationConfig(RULE('auto', "  allowedAccounts: ['111122223333']\n  maxPerHour: 10")));
    expect(
      (await t.live(decisionOf(instanceAlert(1, { account: '111122223333' })))).remediation,
    ).toMatchObject({ outcome: 'started' });
    expect((await t.live(decisionOf(instanceAlert(2)))).remediation?.reason).toMatch(
      /account 123456789012 is not an allowed account \(111122223333/,
    );
  });

  it("fails closed when the stack's account is unknown; a replay still says what it would do", async () => {
    const t = setup(remediationConfig(RULE('auto')), { ownAccount: undefined });
    const live = await t.live(decisionOf(instanceAlert()));
    expect(live.remediation?.reason).toMatch(/own account is unknown.*fail closed/);
    const replay = await t.remediator.consider(decisionOf(instanceAlert(2)), { mode: 'preview' });
    expect(replay.remediation?.outcome).toBe('dry-run');
  });

  it('reads the own account from the role ARNs (one account, else unknown)', () => {
    expect(accountOfRoles([OWN_ROLE])).toBe('123456789012');
    expect(accountOfRoles([OWN_ROLE, 'arn:aws:iam::111122223333:role/x'])).toBeUndefined();
    expect(accountOfRoles([])).toBeUndefined();
  });

  it('never remediates an EventBridge event that came inside an SNS message', async () => {
    const t = setup(remediationConfig(SG_RULE));
    expect((await t.live(decisionOf(sgAlert('eventbridge')))).remediation?.outcome).toBe('started');
    const wrapped = await t.live(decisionOf({ ...sgAlert('sns'), transitionId: 'other' }));
    expect(wrapped.remediation?.reason).toMatch(
      /not trusted for remediation: a cloudtrail event inside an SNS message/,
    );
    expect(t.automation.started).toHaveLength(1);
  });

  it("refuses an account-level target that is not the alert's own account", async () => {
    const t = setup(
      remediationConfig(`
remediation:
  allowedAccounts: ['123456789012', '111122223333']
remediations:
  - name: block-public
    match: { detection: s3-account-public }
    action: AWSConfigRemediation-ConfigureS3PublicAccessBlock
    parameters:
      AccountId: '{{ labels.targetAccount }}'
      AutomationAssumeRole: 'arn:aws:iam::123456789012:role/klaxon-remediation'
    mode: auto
`),
    );
    const alert = (targetAccount: string, n: number) =>
      instanceAlert(
        n,
        { source: 'cloudtrail', detection: 's3-account-public', targetAccount },
        { path: 'eventbridge', metric: undefined },
      );
    const other = await t.live(decisionOf(alert('111122223333', 1)));
    expect(other.remediation?.reason).toMatch(
      /target is in account 111122223333, not the alert's account 123456789012/,
    );
    expect((await t.live(decisionOf(alert('123456789012', 2)))).remediation?.outcome).toBe('started');
    expect(t.automation.started).toHaveLength(1);
  });
});

describe('remediation of an own-account alarm waits for CloudWatch to confirm it', () => {
  const withState = (
    n: number,
    alarmState?: { state: 'ALARM' | 'OK' | 'missing'; dimensionsMatch?: boolean },
  ) => {
    const alert = instanceAlert(n);
    const provenance = alert.provenance ? { ...alert.provenance, alarmState } : undefined;
    return decisionOf({ ...alert, ...(provenance ? { provenance } : {}) });
  };

  it("starts only when the alarm is in ALARM now with the event's dimensions", async () => {
    const t = setup(remediationConfig(RULE('auto')));
    expect((await t.live(withState(1, { state: 'OK' }))).remediation?.reason).toMatch(
      /CloudWatch says the alarm is OK now, not ALARM/,
    );
    expect((await t.live(withState(2, { state: 'missing' }))).remediation?.outcome).toBe('skipped');
    expect(
      (await t.live(withState(3, { state: 'ALARM', dimensionsMatch: false }))).remediation?.reason,
    ).toMatch(/dimensions are not the alarm's own/);
    expect((await t.live(withState(4))).remediation?.reason).toMatch(
      /not checked with CloudWatch.*fail closed/,
    );
    expect(t.automation.started).toEqual([]);
    expect((await t.live(withState(5, { state: 'ALARM', dimensionsMatch: true }))).remediation?.outcome).toBe(
      'started',
    );
  });

  it('never starts from a topic listed in intake.alarmTopics (its owner decides who publishes)', async () => {
    const t = setup(remediationConfig(RULE('auto')));
    const alert = instanceAlert(1);
    const listed = provenanceOf(
      alert,
      {
        kind: 'sns',
        index: 0,
        topicArn: 'arn:aws:sns:us-west-2:111122223333:team-alarms',
        messageId: 'm',
        message: '{}',
      },
      { alarmTopics: [{ arn: 'arn:aws:sns:us-west-2:111122223333:team-alarms' }], eventBridgeOverSns: [] },
    );
    const result = await t.live(
      decisionOf({ ...alert, provenance: { ...listed, alarmState: { state: 'ALARM' } } }),
    );
    expect(result.remediation?.reason).toMatch(
      /not trusted for remediation: a topic listed in intake.alarmTopics/,
    );
  });
});

describe('an EventBridge event from a topic in intake.eventBridgeOverSns', () => {
  it('never starts a remediation, live, even for a rule in auto mode', async () => {
    const t = setup(remediationConfig(SG_RULE));
    const topicArn = 'arn:aws:sns:us-east-1:123456789012:security-forwarding';
    const labels = { source: 'cloudtrail' as const, account: '123456789012', region: 'us-east-1' };
    const provenance = provenanceOf(
      { labels, eventBridgeInSns: { account: '123456789012' } },
      { kind: 'sns', index: 0, topicArn, messageId: 'm', message: '{}' },
      { alarmTopics: [], eventBridgeOverSns: [{ topicArn, accounts: ['123456789012'] }] },
    );
    expect(provenance.optedIn).toBe('intake.eventBridgeOverSns');
    const alert = sgAlert('eventbridge');
    const result = await t.live(decisionOf({ ...alert, path: 'sns', provenance, transitionId: 'wrapped' }));
    expect(result.remediation).toMatchObject({ outcome: 'skipped' });
    expect(result.remediation?.reason).toMatch(
      /not trusted for remediation: an EventBridge event on .*security-forwarding, a topic opted in by intake.eventBridgeOverSns/,
    );
    expect(t.automation.started).toEqual([]);
    // The same detection by EventBridge starts.
    expect((await t.live(decisionOf(sgAlert('eventbridge')))).remediation?.outcome).toBe('started');
  });
});

describe('approval: pending → approved → starting, once', () => {
  it('a second approval changes nothing and names who approved first', async () => {
    const t = setup(remediationConfig(RULE('approve')));
    const pending = await t.live(decisionOf(instanceAlert()));
    const id = pending.remediation?.approvalId ?? '';
    expect(await t.remediator.approve(id, 'alice')).toMatchObject({
      outcome: 'started',
      approvedBy: 'alice',
    });
    const again = await t.remediator.approve(id, 'bob');
    expect(again.reason).toMatch(/already approved by alice at 2026-03-14T09:45:13.000Z .*changes nothing/);
    expect(t.automation.started).toHaveLength(1);
  });

  it('a rejection is final: no later approval starts it, and a rejection after an approval changes nothing', async () => {
    const t = setup(remediationConfig(RULE('approve')));
    const pending = await t.live(decisionOf(instanceAlert()));
    const id = pending.remediation?.approvalId ?? '';
    expect(await t.remediator.reject(id, 'slack:carol (U0CAROL)')).toMatchObject({
      outcome: 'skipped',
      reason: 'rejected by slack:carol (U0CAROL)',
    });
    const late = await t.remediator.approve(id, 'alice');
    expect(late.outcome).not.toBe('started');
    expect(late.reason).toMatch(/not pending approval: it is skipped/);
    expect(t.automation.started).toHaveLength(0);

    const other = await t.live(decisionOf(instanceAlert(2)));
    const second = other.remediation?.approvalId ?? '';
    expect(second).not.toBe(id);
    expect((await t.remediator.approve(second, 'alice')).outcome).toBe('started');
    expect((await t.remediator.reject(second, 'bob')).reason).toMatch(/already approved by alice/);
    expect(t.automation.started).toHaveLength(1);
  });

  it('of two approvals racing, exactly one starts one execution (Run Command has no ClientToken)', async () => {
    const t = setup(
      remediationConfig(`
remediations:
  - name: restart-web
    match: { alarmName: 'web-*-unhealthy' }
    action: AWS-RunShellScript
    parameters: { InstanceId: '{{ labels.InstanceId }}' }
    commands: ['systemctl restart nginx']
    mode: approve
`),
    );
    const pending = await t.live(decisionOf(instanceAlert()));
    const id = pending.remediation?.approvalId ?? '';
    const results = await Promise.all(
      ['alice', 'bob', 'carol', 'alice'].map((who) => t.remediator.approve(id, who)),
    );
    expect(results.filter((r) => r.outcome === 'started')).toHaveLength(1);
    expect(t.runCommand.sent).toHaveLength(1);
    for (const loser of results.filter((r) => r.outcome !== 'started')) {
      expect(loser.reason).toMatch(/already approved.*changes nothing/);
    }
    const record = await t.store.loadRecord<RemediationRecord>(`remediation#${id}`);
    expect(record?.history.filter((h) => h.event.startsWith('approved by'))).toHaveLength(1);
  });

  it('gives the approval back when a cap refuses the start, so it can be approved later', async () => {
    const t = setup(
      remediationConfig(
        RULE('approve', '  maxPerHour: 1').replace("url: 'https://approve.example.com/'", 'expiresAfter: 3h'),
      ),
    );
    const first = await t.live(decisionOf(instanceAlert(1)));
    const second = await t.live(decisionOf(instanceAlert(2, {}, { fingerprint: 'other-alarm' })));
    expect((await t.remediator.approve(first.remediation?.approvalId ?? '', 'alice')).outcome).toBe(
      'started',
    );
    const id = second.remediation?.approvalId ?? '';
    const capped = await t.remediator.approve(id, 'bob');
    expect(capped).toMatchObject({ outcome: 'pending-approval' });
    expect(capped.reason).toMatch(/global cap/);
    t.advance(3_600_001);
    expect(await t.remediator.approve(id, 'carol')).toMatchObject({
      outcome: 'started',
      approvedBy: 'carol',
    });
  });

  it('expires after 1 hour by default', async () => {
    const t = setup(remediationConfig(RULE('approve')));
    const pending = await t.live(decisionOf(instanceAlert()));
    t.advance(3_600_000);
    const late = await t.remediator.approve(pending.remediation?.approvalId ?? '', 'alice');
    expect(late).toMatchObject({ outcome: 'skipped', reason: 'the approval request expired' });
  });

  it('a used link is spent: posting it again starts nothing; the link and its address are recorded', async () => {
    const t = setup(remediationConfig(RULE('approve')), { approvalKey: async () => 'k3y' });
    const pending = await t.live(decisionOf(instanceAlert()));
    const id = pending.remediation?.approvalId ?? '';
    const link = new URL(approvalLink('https://approve.example.com/', 'k3y', id, t.now() + 3_600_000));
    const handler = createApprovalHandler(() => ({
      remediator: t.remediator,
      key: async () => 'k3y',
      now: () => t.now(),
    }));
    const post = () =>
      handler({
        requestContext: { http: { method: 'POST', sourceIp: '198.51.100.7' } },
        body: link.searchParams.toString(),
        isBase64Encoded: false,
      } as never);
    const first = await post();
    expect(first.statusCode).toBe(200);
    const second = await post();
    expect(second.statusCode).toBe(409);
    expect(second.body).toContain('already approved by signed link (198.51.100.7)');
    expect(t.automation.started).toHaveLength(1);
  });

  describe('with remediation.approval.auth: iam', () => {
    const ALICE = 'arn:aws:sts::123456789012:assumed-role/oncall/alice';
    const iam = async () => {
      const t = setup(remediationConfig(RULE('approve')));
      const pending = await t.live(decisionOf(instanceAlert()));
      const handler = createApprovalHandler(() => ({
        remediator: t.remediator,
        key: async () => undefined,
        now: () => t.now(),
        auth: 'iam' as const,
      }));
      const post = (principal?: string, body = `id=${pending.remediation?.approvalId ?? ''}`) =>
        handler({
          headers: { accept: 'application/json' },
          requestContext: {
            http: { method: 'POST', sourceIp: '198.51.100.7' },
            ...(principal ? { authorizer: { iam: { userArn: principal } } } : {}),
          },
          body,
          isBase64Encoded: false,
        } as never);
      return { t, post };
    };

    it('refuses a request without an IAM caller (unsigned), and starts nothing', async () => {
      const { t, post } = await iam();
      const unsigned = await post();
      expect(unsigned.statusCode).toBe(403);
      expect(JSON.parse(unsigned.body ?? '{}').error).toMatch(/SigV4-signed requests only/);
      expect(t.automation.started).toEqual([]);
    });

    it('records the IAM caller, not an address, as the approver; once', async () => {
      const { t, post } = await iam();
      const first = await post(ALICE);
      expect(first.statusCode).toBe(200);
      expect(JSON.parse(first.body ?? '{}')).toMatchObject({ outcome: 'started', approvedBy: ALICE });
      const second = await post('arn:aws:sts::123456789012:assumed-role/oncall/bob');
      expect(second.statusCode).toBe(409);
      expect(JSON.parse(second.body ?? '{}').reason).toContain(`already approved by ${ALICE}`);
      expect(t.automation.started).toHaveLength(1);
      expect((await post(ALICE, 'id=no-such-id')).statusCode).toBe(404);
    });
  });
});

describe("guards per rule, and failures that are not the rule's fault", () => {
  const TWO_RULES = `
remediation:
  maxPerHour: 3
remediations:
  - name: restart-web
    match: { alarmName: 'web-*-unhealthy' }
    action: AWS-RestartEC2Instance
    parameters: { InstanceId: '{{ labels.InstanceId }}' }
    mode: auto
    cooldown: 0s
    maxPerHour: 1
  - name: restart-api
    match: { alarmName: 'api-*-unhealthy' }
    action: AWS-RestartEC2Instance
    parameters: { InstanceId: '{{ labels.InstanceId }}' }
    mode: auto
    cooldown: 0s
`;

  it("a rule flooded on purpose spends its own hourly budget, not every rule's", async () => {
    const t = setup(remediationConfig(TWO_RULES));
    const web = (n: number) => decisionOf(instanceAlert(n, { InstanceId: `i-0000000000000000${n}` }));
    expect((await t.live(web(1))).remediation?.outcome).toBe('started');
    for (const n of [2, 3, 4, 5]) {
      expect((await t.live(web(n))).remediation?.reason).toMatch(/rule cap: rule restart-web/);
    }
    const api = instanceAlert(9, { alarmName: 'api-prod-unhealthy', InstanceId: 'i-0000000000000000a' });
    expect((await t.live(decisionOf(api))).remediation?.outcome).toBe('started');
  });

  it('does not count a target that is gone or already compliant towards the breaker', async () => {
    const t = setup(
      remediationConfig(`
remediation:
  circuitBreaker: { failures: 1 }
remediations:
  - name: restart-web
    match: { alarmName: 'web-*-unhealthy' }
    action: AWS-RestartEC2Instance
    parameters: { InstanceId: '{{ labels.InstanceId }}' }
    mode: auto
    cooldown: 0s
`),
    );
    t.automation.start = async () => {
      throw new Error("InvalidInstanceID.NotFound: The instance ID 'i-0a1b2c3d4e5f67890' does not exist");
    };
    const gone = await t.live(decisionOf(instanceAlert(1)));
    expect(gone.remediation?.reason).toMatch(/start failed: InvalidInstanceID.NotFound/);
    expect(gone.remediation?.reason).not.toMatch(/circuit breaker/);
    t.automation.start = async () => {
      throw new Error('ThrottlingException: rate exceeded');
    };
    t.automation.start = async () => {
      throw new Error('InvalidParameters: the security group is already compliant');
    };
    const compliant = await t.live(decisionOf(instanceAlert(3)));
    expect(compliant.remediation?.reason).toMatch(/already compliant/);
    expect(compliant.remediation?.reason).not.toMatch(/circuit breaker/);
    t.automation.start = async () => {
      throw new Error('ThrottlingException: rate exceeded');
    };
    const throttled = await t.live(decisionOf(instanceAlert(2)));
    expect(throttled.remediation?.reason).toMatch(/circuit breaker open/);
  });

  it('caps starts on one resource across every rule (remediation.maxPerResourcePerHour)', async () => {
    const t = setup(
      remediationConfig(
        TWO_RULES.replace('  maxPerHour: 3\n', '  maxPerHour: 10\n  maxPerResourcePerHour: 2\n').replace(
          '    maxPerHour: 1\n',
          '',
        ),
      ),
    );
    const same = 'i-0000000000000000f';
    const web = (n: number, id = same) => decisionOf(instanceAlert(n, { InstanceId: id }));
    const api = (n: number, id = same) =>
      decisionOf(instanceAlert(n, { alarmName: 'api-prod-unhealthy', InstanceId: id }));
    expect((await t.live(web(1))).remediation?.outcome).toBe('started');
    expect((await t.live(api(2))).remediation?.outcome).toBe('started');
    // A third start on the same instance, by either rule, is refused: no resource in a loop.
    for (const decision of [web(3), api(4)]) {
      const refused = await t.live(decision);
      expect(refused.remediation?.outcome).toBe('skipped');
      expect(refused.remediation?.reason).toMatch(
        new RegExp(
          `^resource cap: \\d+ starts on ${same} were attempted in the last hour \\(remediation.maxPerResourcePerHour: 2\\)$`,
        ),
      );
    }
    // Another instance has its own budget.
    expect((await t.live(web(5, 'i-0000000000000000e'))).remediation?.outcome).toBe('started');
    expect(t.automation.started).toHaveLength(3);
  });

  it('allows 3 starts per resource and hour by default', async () => {
    const t = setup(remediationConfig(RULE('auto')));
    const outcomes = [];
    for (const n of [1, 2, 3, 4])
      outcomes.push((await t.live(decisionOf(instanceAlert(n)))).remediation?.outcome);
    expect(outcomes).toEqual(['started', 'started', 'started', 'skipped']);
    expect(remediationConfig(RULE('auto')).remediation.maxPerResourcePerHour).toBe(3);
  });
});

describe('a refused resolve does not end the incident for verification', () => {
  it('records the resolve only when the alarm-state check let it through', async () => {
    const t = setup(remediationConfig(RULE('auto')));
    const ok = instanceAlert(1, { state: 'OK' }, { status: 'resolved' });
    await t.live(decisionOf(ok, [], 'resolve refused: CloudWatch says the alarm is still in ALARM'));
    expect(await t.store.loadRecord(`remediation-resolved#${ok.fingerprint}`)).toBeUndefined();
    await t.live(decisionOf(ok));
    expect(await t.store.loadRecord(`remediation-resolved#${ok.fingerprint}`)).toBeDefined();
  });
});
