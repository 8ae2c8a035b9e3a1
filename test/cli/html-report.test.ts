import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emailMessage, teamsMessage } from '../../cli/html-cards';
import { escapeHtml } from '../../cli/html-escape';
import { EXIT } from '../../cli/klaxon';
import { runCli as run } from '../support/cli';

/** The 5xx fixture with a hostile alarm description (the SNS message is JSON inside JSON). */
function hostileFixture(description: string): string {
  const fixture = JSON.parse(readFileSync('events/cloudwatch-alarm/sns-metric-alarm-5xx.json', 'utf8')) as {
    Records: Array<{ Sns: { Message: string } }>;
  };
  const message = JSON.parse(fixture.Records[0]!.Sns.Message) as Record<string, unknown>;
  message.AlarmDescription = description;
  fixture.Records[0]!.Sns.Message = JSON.stringify(message);
  const dir = mkdtempSync(join(tmpdir(), 'klaxon-html-unit-'));
  const file = join(dir, 'hostile.json');
  writeFileSync(file, JSON.stringify(fixture));
  return file;
}

async function report(file: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'klaxon-html-out-'));
  const html = join(dir, 'r.html');
  const { code } = await run('replay', file, '--out', join(dir, 'out'), '--html', html);
  expect(code).toBe(EXIT.ok);
  return readFileSync(html, 'utf8');
}

describe('the HTML report is safe to open', () => {
  it('escapes markup from the event and links only http(s) URLs', async () => {
    const html = await report(
      hostileFixture('<script>alert(1)</script> <img src=x onerror=alert(2)> <javascript:alert(3)|click me>'),
    );
    expect(html).not.toMatch(/<script|<img|href="javascript:/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain("default-src 'none'");
  });

  it('cuts a 300 KB field rather than copying it into every view', async () => {
    const html = await report(hostileFixture('y'.repeat(300_000)));
    expect(html.length).toBeLessThan(200_000);
    expect(html).not.toContain('y'.repeat(20_001));
  });

  it('draws each receiver by its preview format, a Slack app call as the message it posts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'klaxon-html-app-'));
    const config = join(dir, 'klaxon.yml');
    writeFileSync(
      config,
      [
        'receivers:',
        '  alerts: { type: slack, botToken: { env: SLACK_BOT }, channel: C0ALERTS }',
        '  oncall: { type: pagerduty, routingKey: { env: PD } }',
        '  mail: { type: jsm, apiKey: { env: JSM } }',
        'route:',
        '  receiver: alerts',
        '  routes:',
        '    - { match: { source: cloudwatch-alarm }, receiver: oncall, continue: true }',
        '    - { match: { source: cloudwatch-alarm }, receiver: mail, continue: true }',
        '    - { match: { source: cloudwatch-alarm }, receiver: alerts }',
      ].join('\n'),
    );
    const html = join(dir, 'r.html');
    const { code } = await run(
      'replay',
      'events/cloudwatch-alarm/sns-metric-alarm-5xx.json',
      '--config',
      config,
      '--out',
      join(dir, 'out'),
      '--html',
      html,
    );
    expect(code).toBe(EXIT.ok);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/<div class="slack"[^>]*>.*<div class="sl-header">[^<]*api-prod-5xx/s);
    expect(page).toContain('<div class="pd">');
    // A type with no preview format is shown as its JSON.
    expect(page).toMatch(/<pre class="plain">[^<]*identifierType|<pre class="plain">[^<]*&quot;alias&quot;/);
  });

  it('escapeHtml escapes quotes and ampersands and says how much it cut', () => {
    expect(escapeHtml(`"a" & 'b' <c>`)).toBe('&quot;a&quot; &amp; &#39;b&#39; &lt;c&gt;');
    expect(escapeHtml('z'.repeat(10), 4)).toBe('zzzz… (6 more characters)');
  });
});

describe('the Adaptive Card view', () => {
  const card = (body: unknown[], actions: unknown[] = []) =>
    teamsMessage({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: { type: 'AdaptiveCard', version: '1.4', body, actions },
        },
      ],
    });

  it('draws TextBlocks, a FactSet, a ColumnSet and Action.OpenUrl buttons with their styles', () => {
    const html = card(
      [
        {
          type: 'Container',
          style: 'warning',
          bleed: true,
          items: [
            {
              type: 'TextBlock',
              text: 'WARNING: disk',
              color: 'Warning',
              weight: 'Bolder',
              size: 'Large',
              wrap: true,
            },
          ],
        },
        { type: 'TextBlock', text: 'Free space **below 10%** on _db-1_', wrap: true },
        { type: 'FactSet', facts: [{ title: 'Region', value: 'eu-west-1' }] },
        {
          type: 'ColumnSet',
          columns: [
            { type: 'Column', width: 'auto', items: [{ type: 'TextBlock', text: 'left', wrap: true }] },
            {
              type: 'Column',
              width: 2,
              items: [{ type: 'TextBlock', text: 'right', isSubtle: true, wrap: true }],
            },
          ],
        },
        {
          type: 'ActionSet',
          actions: [{ type: 'Action.OpenUrl', title: 'Dashboard', url: 'https://grafana.example.com/d/1' }],
        },
      ],
      [
        {
          type: 'Action.OpenUrl',
          title: 'Runbook',
          url: 'https://runbooks.example.com/disk',
          style: 'positive',
        },
        { type: 'Action.Submit', title: 'Acknowledge' },
      ],
    );
    expect(html).toContain(
      '<div class="ac-container ac-s-warning ac-bleed"><div class="ac-text ac-z-large ac-c-warning ac-bold">WARNING: disk</div></div>',
    );
    expect(html).toContain('Free space <b>below 10%</b> on <i>db-1</i>');
    expect(html).toContain('<table class="ac-facts"><tr><th>Region</th><td>eu-west-1</td></tr></table>');
    expect(html).toContain(
      '<div class="ac-column" style="flex:0 1 auto"><div class="ac-text">left</div></div>',
    );
    expect(html).toContain(
      '<div class="ac-column" style="flex:2 1 0"><div class="ac-text ac-subtle">right</div></div>',
    );
    expect(html).toContain('<a class="ac-action" href="https://grafana.example.com/d/1">Dashboard</a>');
    expect(html).toContain(
      '<a class="ac-action ac-positive" href="https://runbooks.example.com/disk">Runbook</a>',
    );
    expect(html).toContain('<span class="ac-action ac-inert">Acknowledge</span>');
  });

  it('takes styles only from its own tables and links only http(s)', () => {
    const html = card(
      [
        { type: 'Container', style: 'attention" onmouseover="x', items: [] },
        { type: 'TextBlock', text: 'x', color: '"><script>', size: 'large;background:url(x)' },
        { type: 'ColumnSet', columns: [{ width: '1px;background:url(https://evil.example/)', items: [] }] },
        { type: 'TextBlock', text: '[open](javascript:void) [ok](https://ok.example/)' },
        { type: 'Image', url: 'https://evil.example/track.png', altText: '<b>logo</b>' },
        { type: 'Media', sources: [] },
      ],
      [{ type: 'Action.OpenUrl', title: 'go', url: 'javascript:alert(1)' }],
    );
    expect(html).not.toMatch(/onmouseover|<script|url\(|href="javascript|evil\.example/);
    expect(html).toContain('open <a href="https://ok.example/">ok</a>');
    expect(html).toContain('<div class="ac-container"></div>');
    expect(html).toContain('[image: &lt;b&gt;logo&lt;/b&gt;]');
    expect(html).toContain('(element Media is not shown by Teams)');
    expect(html).toContain('<span class="ac-action ac-inert">go</span>');
  });

  it('shows a payload that is not an Adaptive Card as text', () => {
    expect(teamsMessage({ text: '<b>hi</b>' })).toContain('&lt;b&gt;hi&lt;/b&gt;');
  });
});

describe('the email view', () => {
  it('shows the subject and the plain-text body, links only http(s) URLs, never trailing punctuation', () => {
    const html = emailMessage({
      topicArn: 'arn:aws:sns:us-east-1:123456789012:klaxon-prod-ops',
      subject: '[CRITICAL] <api-prod-5xx>',
      email:
        'Runbook: https://runbooks.example.com/a.\n(see https://x.example/b) javascript:alert(1)\n<i>raw</i>',
    });
    expect(html).toContain('<div class="mail-subject">[CRITICAL] &lt;api-prod-5xx&gt;</div>');
    expect(html).toContain('to subscribers of klaxon-prod-ops');
    expect(html).toContain(
      'Runbook: <a href="https://runbooks.example.com/a">https://runbooks.example.com/a</a>.',
    );
    expect(html).toContain('(see <a href="https://x.example/b">https://x.example/b</a>) javascript:alert(1)');
    expect(html).toContain('&lt;i&gt;raw&lt;/i&gt;');
  });

  it('draws the sns receiver (subject and message) the same way', () => {
    expect(emailMessage({ subject: 'S', message: 'body text' })).toContain(
      '<div class="mail-body">body text</div>',
    );
  });
});

describe('escapeHtml', () => {
  it('shows bidirectional controls instead of obeying them', () => {
    expect(escapeHtml('invoice\u202efdp.exe \u2066x\u2069')).toBe('invoice[U+202E]fdp.exe [U+2066]x[U+2069]');
  });
});
