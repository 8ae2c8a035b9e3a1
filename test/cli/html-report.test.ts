import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../cli/html-report';
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
