import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/klaxon';
import { runCli as run } from '../support/cli';

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
});
