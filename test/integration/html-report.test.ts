import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/klaxon';
import { runCli as run } from '../support/cli';
import { REPO_ROOT } from '../support/fixtures';

/** Debian's chromium (.ci/run installs it); the test says clearly when it cannot run. */
function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser']) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
  }
  return undefined;
}

const chromium = findChromium();
if (!chromium) {
  process.stderr.write(
    'html-report.test.ts: SKIPPED: no chromium on PATH (apt-get install -y chromium; .ci/run installs it)\n',
  );
}

function headless(...args: string[]): string {
  return execFileSync(
    chromium as string,
    ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--hide-scrollbars', ...args],
    { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] },
  );
}

describe('npm start, as the README runs it', () => {
  it('replays every fixture and names the HTML report it wrote', () => {
    // The repository's top level linked into a scratch folder, so out/ is written there.
    const dir = mkdtempSync(join(tmpdir(), 'klaxon-start-'));
    for (const entry of readdirSync(REPO_ROOT)) {
      if (entry !== 'out' && entry !== '.git') symlinkSync(join(REPO_ROOT, entry), join(dir, entry));
    }
    const stdout = execFileSync('npm', ['start', '--silent'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 240_000,
    });
    const lines = stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('Report: out/replay/report.html (open it in a browser)');
    expect(stdout).toMatch(/\d+ files: \d+ with alerts, \d+ ignored, \d+ invalid\./);
    const html = readFileSync(join(dir, 'out/replay/report.html'), 'utf8');
    expect(html).toContain('class="slack"');
    expect(html).toContain('class="pd"');
  }, 300_000);
});

describe.skipIf(!chromium)('klaxon replay --html in headless Chromium', () => {
  it('shows the decision and what Slack and PagerDuty would show, in one self-contained page', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'klaxon-html-'));
    const report = join(dir, 'report.html');
    const { code, stdout } = await run(
      'replay',
      'events/cloudwatch-alarm/sns-metric-alarm-5xx.json',
      'events/cloudwatch-alarm/eventbridge-composite-suppressed.json',
      '--out',
      join(dir, 'out'),
      '--html',
      report,
    );
    expect(code).toBe(EXIT.ok);
    expect(stdout).toContain(`Report: ${report} (open it in a browser)`);
    const html = readFileSync(report, 'utf8');
    // Self-contained: no script, no external resource.
    expect(html).not.toMatch(/<script|<link|src="http|@import/i);

    const screenshot = join(dir, 'report.png');
    headless(`--screenshot=${screenshot}`, '--window-size=1280,1400', pathToFileURL(report).href);
    expect(existsSync(screenshot)).toBe(true);
    const png = readFileSync(screenshot);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(20_000);

    const dom = headless('--dump-dom', pathToFileURL(report).href);
    const text = dom.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    // The decision: routes and receivers.
    expect(text).toContain('routes: page-critical → chat-critical');
    expect(text).toContain('receivers: oncall, alerts');
    // Slack as Slack draws it: header, fields, buttons.
    expect(dom).toContain('class="sl-header"');
    expect(text).toContain('CRITICAL api-prod-5xx');
    expect(dom).toMatch(/<b>Severity<\/b><br>critical/);
    expect(dom).toMatch(/class="sl-button" href="https:\/\/runbooks\.example\.com\/api-5xx">Runbook</);
    // What was suppressed, and why.
    expect(text).toContain('Suppressed: composite alarm actions suppressed by WaitPeriod');
    // The PagerDuty incident.
    expect(dom).toMatch(/class="pd-badge pd-critical">CRITICAL</);
    expect(text).toContain(
      'ALARM: api-prod-5xx (HTTPCode_Target_5XX_Count &gt; 5) in 123456789012/us-east-1',
    );
  }, 120_000);

  it('draws a hostile alarm in Teams and email views: nothing runs, every character is shown as text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'klaxon-html-hostile-'));
    const config = join(dir, 'klaxon.yml');
    writeFileSync(config, HOSTILE_CONFIG);
    const event = join(dir, 'hostile.json');
    writeFileSync(event, hostileEvent(HOSTILE_DESCRIPTION));
    const report = join(dir, 'report.html');
    const { code } = await run(
      'replay',
      event,
      '--config',
      config,
      '--out',
      join(dir, 'out'),
      '--html',
      report,
    );
    expect(code).toBe(EXIT.ok);
    const html = readFileSync(report, 'utf8');
    // Escaping, not the Content-Security-Policy, is what keeps the page inert: the same checks run on
    // the page with its policy removed.
    const withoutPolicy = join(dir, 'no-csp.html');
    writeFileSync(withoutPolicy, html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, ''));
    expect(readFileSync(withoutPolicy, 'utf8')).not.toContain('Content-Security-Policy');

    for (const page of [report, withoutPolicy]) {
      const dom = headless('--virtual-time-budget=3000', '--dump-dom', pathToFileURL(page).href);
      // Nothing ran: the hostile script would have renamed the page and added an element.
      expect(dom).toContain('<title>Klaxon replay</title>');
      expect(dom).not.toMatch(/<script|<img|<iframe|<svg/i);
      expect(dom).not.toMatch(/<[^>]*\son[a-z]+=/i);
      expect(dom).not.toMatch(/href="(javascript|data):/i);
      // The style sheet was not closed early: the views are still styled blocks.
      expect(dom.match(/<style>/g)).toHaveLength(1);
      // The text is all there, as text, in the Teams card and in the email body.
      const teams = section(dom, 'class="teams"');
      const mail = section(dom, 'class="mail"');
      const slack = section(dom, 'class="slack"');
      for (const view of [teams, mail, slack]) {
        expect(view).toContain('&lt;script&gt;document.title="PWNED"&lt;/script&gt;');
        expect(view).toContain('&lt;img src=x "onerror=document.title="PWNED2"');
        expect(view).toContain('&lt;/style&gt;&lt;b&gt;unstyled');
        // A right-to-left override is shown, not obeyed; a zero-width space stays harmless text.
        expect(view).toContain('invoice[U+202E]fdp.exe');
        expect(view).not.toContain('\u202e');
        expect(view).toContain('pay\u200bpal');
        expect(view).toContain('&lt;javascript:alert(1)|click me&gt;');
      }
      // Teams defuses Markdown links in alarm text (a zero-width space), and so does its view.
      expect(teams).toContain('[Reset your password]\u200b(https://evil.example/reset)');
      expect(teams).not.toContain('href="https://evil.example');
      // The card's own parts: the attention banner, the facts, the link buttons.
      expect(teams).toMatch(
        /class="ac-container ac-s-attention ac-bleed"><div class="ac-text ac-z-large ac-c-attention ac-bold">CRITICAL: api-prod-5xx</,
      );
      expect(teams).toMatch(/<table class="ac-facts"><tbody><tr><th>Severity<\/th><td>critical<\/td><\/tr>/);
      expect(teams).toMatch(
        /<a class="ac-action" href="https:\/\/runbooks\.example\.com\/api-5xx">Runbook<\/a>/,
      );
      // The email: its subject line and its plain-text body, URLs linked as mail clients do.
      expect(mail).toContain('<div class="mail-subject">[prod] [CRITICAL] api-prod-5xx</div>');
      expect(mail).toContain('FIRING (critical): api-prod-5xx');
      expect(mail).toMatch(/Severity: {4}critical/);
      expect(mail).toMatch(/Runbook: <a href="https:\/\/runbooks\.example\.com\/api-5xx">/);
      expect(mail).toContain('(<a href="https://evil.example/reset">https://evil.example/reset</a>)');
    }

    const screenshot = join(dir, 'hostile.png');
    headless(`--screenshot=${screenshot}`, '--window-size=1280,1600', pathToFileURL(report).href);
    const png = readFileSync(screenshot);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(20_000);
  }, 120_000);
});

/** A stage whose critical alarms go to Teams and to email (and Slack), to draw both views. */
const HOSTILE_CONFIG = `
severity:
  - match: { alarmName: 'api-*-5xx' }
    severity: critical
runbooks:
  - match: { alarmName: 'api-*-5xx' }
    url: https://runbooks.example.com/api-5xx
receivers:
  team: { type: teams, webhookUrl: { ssm: teams-alerts } }
  mail: { type: email, subjectPrefix: '[prod] ' }
  alerts: { type: slack, webhookUrl: { ssm: slack-alerts } }
route:
  receiver: alerts
  routes:
    - { name: teams-critical, receiver: team, continue: true }
    - { name: email-critical, receiver: mail, continue: true }
    - { name: chat, receiver: alerts }
`;

/** What anyone allowed to create an alarm can write into its description. */
const HOSTILE_DESCRIPTION = [
  '<script>document.title="PWNED"</script>',
  '<img src=x "onerror=document.title="PWNED2">',
  '</style><b>unstyled',
  'invoice\u202efdp.exe',
  'pay\u200bpal',
  '[Reset your password](https://evil.example/reset)',
  '<javascript:alert(1)|click me>',
].join('\n');

/** The 5xx fixture with another alarm description (the SNS message is JSON inside JSON). */
function hostileEvent(description: string): string {
  const fixture = JSON.parse(readFileSync('events/cloudwatch-alarm/sns-metric-alarm-5xx.json', 'utf8')) as {
    Records: Array<{ Sns: { Message: string } }>;
  };
  const message = JSON.parse(fixture.Records[0]!.Sns.Message) as Record<string, unknown>;
  message.AlarmDescription = description;
  fixture.Records[0]!.Sns.Message = JSON.stringify(message);
  return JSON.stringify(fixture);
}

/** The markup of one receiver view: from its opening tag to the next receiver's title. */
function section(dom: string, marker: string): string {
  const start = dom.indexOf(marker);
  expect(start).toBeGreaterThan(-1);
  const end = dom.indexOf('class="rcv-title"', start);
  return dom.slice(start, end === -1 ? undefined : end);
}
