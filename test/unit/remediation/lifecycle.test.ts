import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../shared/alert/alert';
import type { Dispatcher } from '../../../shared/delivery/dispatcher';
import type { DeliveryJob } from '../../../shared/delivery/jobs';
import { ApprovalNotFoundError } from '../../../shared/errors';
import { approvalLink, verifyApprovalLink } from '../../../shared/remediation/approval';
import type { RemediationRecord } from '../../../shared/remediation/remediator';
import { createApprovalHandler } from '../../../functions/remediator/handler';
import { decisionOf, instanceAlert, remediationConfig, setup, statusDecision } from './support';

const RULES = (mode: string, extra = '') => `
remediation:
  notify: [ops]
  approval: { url: 'https://approve.example.com/', expiresAfter: 1h }
remediations:
  - name: restart-web
    match: { alarmName: 'web-*-unhealthy' }
    action: AWS-RunShellScript
    parameters: { InstanceId: '{{ labels.InstanceId }}' }
    commands: ['systemctl restart nginx']
    mode: ${mode}
    verify: { within: 10m, escalateTo: [pager] }
${extra}`;

/** A dispatcher double recording what it was asked to send. */
function recordingDispatcher() {
  const sent: Array<{ alert: Alert; receivers: readonly string[] }> = [];
  const dispatcher = {
    dispatch: async (alert: Alert, receivers: readonly string[]) => {
      sent.push({ alert, receivers });
      return receivers.map((receiver) => ({
        receiver,
        type: 'console' as const,
        outcome: 'delivered' as const,
        attempts: 1,
      }));
    },
  } as unknown as Dispatcher;
  return { sent, dispatcher };
}

describe('remediation status reports', () => {
  it('maps an SSM status back to the alert: same fingerprint (dedup_key), same receivers, severity kept', async () => {
    const t = setup(remediationConfig(RULES('auto')));
    const alert = instanceAlert(1, {}, { severity: 'critical' });
    await t.live(decisionOf(alert, ['pager', 'chat']));
    const report = await t.live(statusDecision('cmd-1', 'Success', 'succeeded'));
    expect(report.decision.receivers).toEqual(['pager', 'chat']);
    expect(report.decision.alert).toMatchObject({
      fingerprint: alert.fingerprint,
      severity: 'critical',
      status: 'firing',
      transitionId: 'klaxon:remediation:cmd-1:Success',
      labels: { alarmName: 'web-prod-unhealthy', executionId: 'cmd-1', remediationRule: 'restart-web' },
    });
    expect(report.decision.alert.annotations.summary).toMatch(
      /Remediation AWS-RunShellScript succeeded for web-prod-unhealthy/,
    );
    expect(report.remediation).toMatchObject({ outcome: 'started', status: 'Success', executionId: 'cmd-1' });
    const record = await t.store.loadRecord<RemediationRecord>(
      `remediation#${(await t.store.loadRecord<{ token: string }>('remediation-execution#cmd-1'))?.token}`,
    );
    expect(record?.history.map((h) => h.event)).toEqual([
      'matched rule restart-web (mode auto)',
      'started cmd-1',
      'execution cmd-1 Success',
    ]);
  });

  it('ignores executions Klaxon did not start, and replays have no state to map them', async () => {
    const t = setup(remediationConfig(RULES('auto')));
    const foreign = await t.live(statusDecision('cmd-999', 'Success', 'succeeded'));
    expect(foreign.decision.suppressed).toMatch(/not started by Klaxon/);
    const replay = await t.remediator.consider(statusDecision('cmd-1', 'Success', 'succeeded'), {
      mode: 'preview',
    });
    expect(replay.decision.suppressed).toMatch(/replay/);
  });

  it('does not page again for an incident the OK already resolved', async () => {
    const t = setup(remediationConfig(RULES('auto')));
    await t.live(decisionOf(instanceAlert(1), ['pager', 'chat']));
    t.advance(60_000);
    await t.live(decisionOf(instanceAlert(2, { state: 'OK' }, { status: 'resolved' }), ['pager', 'chat']));
    const report = await t.live(statusDecision('cmd-1', 'Success', 'succeeded'));
    expect(report.decision.receivers).toEqual(['chat']);
    expect(report.decision.skipped).toEqual([
      { receiver: 'pager', reason: expect.stringMatching(/would reopen/) },
    ]);
  });

  it('reads the failure reason from SSM, since status events carry none', async () => {
    const t = setup(remediationConfig(RULES('auto')));
    await t.live(decisionOf(instanceAlert(1)));
    const report = await t.live(statusDecision('cmd-1', 'Failed', 'failed'));
    expect(report.decision.alert.annotations.reason).toBe('Failed: exit 1');
  });
});

describe('verification after a successful remediation', () => {
  async function succeeded(resolve: boolean) {
    const t = setup(remediationConfig(RULES('auto')));
    await t.live(decisionOf(instanceAlert(1), ['chat']));
    await t.live(statusDecision('cmd-1', 'Success', 'succeeded'));
    expect(t.queue.jobs).toHaveLength(1);
    const { job, delay } = t.queue.jobs[0] as { job: DeliveryJob; delay: number };
    expect(job).toMatchObject({ kind: 'verify-remediation', receiver: 'chat' });
    expect(delay).toBe(600);
    if (resolve) await t.live(decisionOf(instanceAlert(2, { state: 'OK' }, { status: 'resolved' })));
    t.advance(10 * 60_000);
    const d = recordingDispatcher();
    await t.remediator.verify(job as Extract<DeliveryJob, { kind: 'verify-remediation' }>, d.dispatcher);
    return { t, sent: d.sent };
  }

  it('escalates when the alert has not resolved: more urgent severity, escalation receivers added', async () => {
    const { sent } = await succeeded(false);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.receivers).toEqual(['chat', 'pager', 'ops']);
    expect(sent[0]?.alert).toMatchObject({
      severity: 'critical',
      fingerprint: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-prod-unhealthy',
      transitionId: expect.stringMatching(/^klaxon:remediation-escalation:/),
    });
    expect(sent[0]?.alert.annotations.summary).toMatch(/still firing 10m after AWS-RunShellScript succeeded/);
  });

  it('records the verification and sends nothing when the alert resolved', async () => {
    const { t, sent } = await succeeded(true);
    expect(sent).toHaveLength(0);
    expect(t.observer.notes.some((n) => n.message === 'remediation verified')).toBe(true);
  });

  it('re-queues a check that arrives early (SQS delays stop at 15 minutes)', async () => {
    const t = setup(remediationConfig(RULES('auto')));
    const job = {
      kind: 'verify-remediation' as const,
      receiver: 'chat',
      token: 'x',
      dueAt: t.now() + 40 * 60_000,
    };
    const d = recordingDispatcher();
    await t.remediator.verify(job, d.dispatcher);
    expect(t.queue.jobs).toEqual([{ job, delay: 900 }]);
    expect(d.sent).toHaveLength(0);
  });
});

describe('approval', () => {
  it('waits for approval, tells the receivers how to approve, then starts on approval (once)', async () => {
    const t = setup(remediationConfig(RULES('approve')), { approvalKey: async () => 'k3y', stage: 'prod' });
    const pending = await t.live(decisionOf(instanceAlert(1)));
    expect(pending.remediation).toMatchObject({
      outcome: 'pending-approval',
      approvalId: expect.any(String),
    });
    expect(t.runCommand.sent).toHaveLength(0);
    const id = pending.remediation?.approvalId ?? '';
    expect(pending.decision.alert.annotations.remediation).toContain(`klaxon approve ${id} --stage prod`);
    const link = pending.decision.alert.links.find((l) => l.text === 'Approve remediation')?.url ?? '';
    expect(link).toMatch(/^https:\/\/approve\.example\.com\/\?id=/);
    const approved = await t.remediator.approve(id, 'alice');
    expect(approved).toMatchObject({ outcome: 'started', executionId: 'cmd-1', approvedBy: 'alice' });
    expect((await t.remediator.approve(id, 'bob')).reason).toMatch(
      /already approved by alice .*changes nothing/,
    );
    expect(t.runCommand.sent).toHaveLength(1);
  });

  it('refuses an expired approval', async () => {
    const t = setup(remediationConfig(RULES('approve')));
    const pending = await t.live(decisionOf(instanceAlert(1)));
    t.advance(61 * 60_000);
    const result = await t.remediator.approve(pending.remediation?.approvalId ?? '', 'alice');
    expect(result).toMatchObject({ outcome: 'skipped', reason: 'the approval request expired' });
    expect(t.runCommand.sent).toHaveLength(0);
  });

  it('signs links with HMAC and rejects tampering and expiry', () => {
    const now = Date.UTC(2026, 2, 14);
    const link = new URL(approvalLink('https://a.example/', 'key', 'abc', now + 1000));
    const params = Object.fromEntries(link.searchParams) as { id: string; exp: string; sig: string };
    expect(verifyApprovalLink(params, 'key', now)).toEqual({ ok: true, id: 'abc' });
    expect(verifyApprovalLink({ ...params, id: 'abd' }, 'key', now)).toMatchObject({ ok: false });
    expect(verifyApprovalLink({ ...params, exp: String(now + 9999) }, 'key', now)).toMatchObject({
      ok: false,
    });
    expect(verifyApprovalLink(params, 'other-key', now)).toMatchObject({ ok: false });
    expect(verifyApprovalLink(params, 'key', now + 1000)).toEqual({
      ok: false,
      reason: 'the link has expired',
    });
  });

  it('approves through the signed-link endpoint only on POST, never on GET', async () => {
    const t = setup(remediationConfig(RULES('approve')), { approvalKey: async () => 'k3y' });
    const pending = await t.live(decisionOf(instanceAlert(1)));
    const link = new URL(
      pending.decision.alert.links.find((l) => l.text === 'Approve remediation')?.url ?? '',
    );
    const handler = createApprovalHandler(() => ({
      remediator: t.remediator,
      key: async () => 'k3y',
      now: t.now,
    }));
    const query = Object.fromEntries(link.searchParams);
    const event = (method: string, extra: object) =>
      ({ requestContext: { http: { method, sourceIp: '198.51.100.7' } }, ...extra }) as never;
    const shown = await handler(event('GET', { queryStringParameters: query }));
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('<form method="post">');
    expect(t.runCommand.sent).toHaveLength(0);
    const forged = await handler(
      event('POST', { body: new URLSearchParams({ ...query, sig: '0'.repeat(64) }).toString() }),
    );
    expect(forged.statusCode).toBe(403);
    const done = await handler(event('POST', { body: new URLSearchParams(query).toString() }));
    expect(done.statusCode).toBe(200);
    expect(t.runCommand.sent).toHaveLength(1);
    const record = await t.store.loadRecord<RemediationRecord>(`remediation#${query.id}`);
    expect(record?.approvedBy).toBe('signed link (198.51.100.7)');
  });

  it('answers 404, not 500, for a signed link whose remediation is unknown or gone', async () => {
    const t = setup(remediationConfig(RULES('approve')), { approvalKey: async () => 'k3y' });
    const handler = createApprovalHandler(() => ({
      remediator: t.remediator,
      key: async () => 'k3y',
      now: t.now,
    }));
    // A correctly signed link for an id the state table never held (or whose record expired).
    const link = new URL(approvalLink('https://approve.example.com/', 'k3y', 'gone-1234', t.now() + 60_000));
    const answer = await handler({
      requestContext: { http: { method: 'POST', sourceIp: '198.51.100.7' } },
      body: link.searchParams.toString(),
    } as never);
    expect(answer.statusCode).toBe(404);
    expect(answer.body).toContain('No such remediation');
    const shown = await handler({
      requestContext: { http: { method: 'GET', sourceIp: '198.51.100.7' } },
      queryStringParameters: Object.fromEntries(link.searchParams),
    } as never);
    expect(shown.statusCode).toBe(404);
    expect(shown.body).not.toContain('<form');
    expect(t.runCommand.sent).toHaveLength(0);
    await expect(t.remediator.approve('gone-1234', 'alice')).rejects.toBeInstanceOf(ApprovalNotFoundError);
  });
});
