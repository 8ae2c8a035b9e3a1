import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadCheckedConfig } from '../../cli/config';
import { EXIT } from '../../cli/klaxon';
import { transitiveImports } from '../../lint/import-graph.js';
import { loadConfig } from '../../shared/config/yaml';
import { ConfigError } from '../../shared/errors';
import { DETECTION_IDS } from '../../shared/security/catalog';
import { runCli } from '../support/cli';
import { REPO_ROOT, repoText } from '../support/fixtures';

const require = createRequire(import.meta.url);
const deployReader = require('../../deploy/klaxon-config.cjs') as {
  readKlaxonConfig: (file: string) => { config: unknown; shown: string };
  unknownDetections: (config: unknown) => Array<{ path: string; message: string }>;
};

const withUnknownDetections = `
receivers:
  chat: { type: slack, webhookUrl: { env: SLACK_URL } }
route:
  receiver: chat
security:
  detections:
    enabled: [cis-cloudwatch-1-root-usage, no-such-detection]
    severity: { also-unknown: critical }
    thresholds: { not-a-detection: { count: 5, windowSeconds: 60 } }
  allowlist:
    cidrs:
      - { cidr: 10.0.0.0/8, reason: office, detections: [nor-this] }
`;

const expectedProblems = [
  {
    path: 'security.detections.enabled[1]',
    message: 'unknown detection "no-such-detection" (see shared/security/catalog.ts)',
  },
  { path: 'security.detections.severity.also-unknown', message: 'unknown detection "also-unknown"' },
  {
    path: 'security.detections.thresholds.not-a-detection',
    message: 'unknown detection "not-a-detection"',
  },
  {
    path: 'security.allowlist.cidrs[0].detections[0]',
    message: 'unknown detection "nor-this" (see shared/security/catalog.ts)',
  },
];

function problemsOf(load: () => unknown): ConfigError['problems'] {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('the configuration modules', () => {
  it('keep the shared primitives a leaf that imports no feature', () => {
    const imported = [...transitiveImports(join(REPO_ROOT, 'shared/config/primitives.ts'))];
    expect(imported.map((file) => file.slice(REPO_ROOT.length))).toEqual([
      'shared/zod.ts',
      'shared/alert/alert.ts',
    ]);
  });
});

describe('detection ids in klaxon.yml, checked at build time', () => {
  it('keeps the detection catalog out of the config loader the functions bundle', () => {
    const catalog = join(REPO_ROOT, 'shared/security/catalog.ts');
    for (const loader of ['shared/config/load.ts', 'shared/config/yaml.ts']) {
      const imported = transitiveImports(join(REPO_ROOT, loader));
      expect(imported.has(join(REPO_ROOT, 'shared/config/schema.ts')), loader).toBe(true);
      expect(imported.has(catalog), `${loader} imports the detection catalog`).toBe(false);
    }
  });

  it('are refused by the CLI loader (npm run validate) with the key paths, and left alone at cold start', () => {
    expect(problemsOf(() => loadCheckedConfig(withUnknownDetections, 'test.yml'))).toEqual(expectedProblems);
    expect(loadConfig(withUnknownDetections).security.detections.severity.get('also-unknown')).toBe(
      'critical',
    );
  });

  it('fail `klaxon validate` with exit 4, naming each key', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'klaxon-detections-')), 'klaxon.yml');
    writeFileSync(file, withUnknownDetections);
    const { code, stderr } = await runCli('validate', file);
    expect(code).toBe(EXIT.badConfig);
    for (const problem of expectedProblems) expect(stderr).toContain(`${problem.path}: ${problem.message}`);
  });

  it('are reported among the other schema problems, in the order of the keys', () => {
    const text = `${withUnknownDetections}  failedLogins: { threshold: 0 }\nenrichment: { budgetMs: 1 }\n`;
    expect(problemsOf(() => loadCheckedConfig(text, 'test.yml')).map((p) => p.path)).toEqual([
      'security.detections.enabled[1]',
      'security.detections.severity.also-unknown',
      'security.detections.thresholds.not-a-detection',
      'security.allowlist.cidrs[0].detections[0]',
      'security.failedLogins.threshold',
      'enrichment.budgetMs',
    ]);
  });

  it('stop the deploy-time config reader with the key path and the same message', () => {
    expect(deployReader.unknownDetections(parseYaml(withUnknownDetections))).toEqual(expectedProblems);
    const file = join(mkdtempSync(join(tmpdir(), 'klaxon-detections-')), 'klaxon.yml');
    writeFileSync(file, withUnknownDetections);
    expect(() => deployReader.readKlaxonConfig(file)).toThrow(
      /: security\.detections\.enabled\[1\]: unknown detection "no-such-detection" \(see shared\/security\/catalog\.ts\) \(run `npm run validate/,
    );
    expect(deployReader.unknownDetections(parseYaml(repoText('klaxon.yml')))).toEqual([]);
  });

  it('are known to the deploy-time reader exactly as the catalog has them', () => {
    const listed = deployReader.unknownDetections({
      security: { detections: { disabled: [...DETECTION_IDS] } },
    });
    expect(listed).toEqual([]);
    const rules = JSON.parse(repoText('deploy/security-rules.json')) as {
      rules: Array<{ detections?: string[] }>;
    };
    expect(new Set(rules.rules.flatMap((rule) => rule.detections ?? []))).toEqual(new Set(DETECTION_IDS));
  });
});
