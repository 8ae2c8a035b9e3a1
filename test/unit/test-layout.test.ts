import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INTEGRATION_TEST_FOLDERS, UNIT_TEST_FOLDERS } from '../../vitest.config';
import { REPO_ROOT } from '../support/fixtures';
import { repositoryFiles } from '../support/repo-paths';

const TEST_FILES = repositoryFiles(REPO_ROOT).filter((file) => file.endsWith('.test.ts'));
const under = (folders: string[], file: string) => folders.some((folder) => file.startsWith(`${folder}/`));

/** What only an integration test may do, with the reason a unit test cannot. */
const INTEGRATION_ONLY: Array<[RegExp, string]> = [
  [
    /inject\(\s*['"]motoEndpoint['"]\s*\)/,
    'reads the moto endpoint, which only the integration project provides',
  ],
  [/\bstartMoto\(/, 'starts moto'],
  [/\bstartFake(?:Slack|PagerDuty)\(/, 'starts a loopback fake server'],
  [/\bcreateServer\(/, 'starts a server'],
];

describe('test layout (docs/testing.md)', () => {
  it('runs every test file in exactly one project: a file outside their folders would never run', () => {
    expect(TEST_FILES.length).toBeGreaterThan(40);
    const misplaced = TEST_FILES.filter(
      (file) => Number(under(UNIT_TEST_FOLDERS, file)) + Number(under(INTEGRATION_TEST_FOLDERS, file)) !== 1,
    );
    expect(misplaced).toEqual([]);
  });

  it('keeps moto and loopback servers out of the unit folders', () => {
    const problems = TEST_FILES.filter((file) => under(UNIT_TEST_FOLDERS, file))
      .filter((file) => file !== 'test/unit/network-guard.test.ts')
      .flatMap((file) => {
        const text = readFileSync(`${REPO_ROOT}${file}`, 'utf8');
        return INTEGRATION_ONLY.filter(([pattern]) => pattern.test(text)).map(
          ([, why]) => `${file} ${why}: move it to test/integration/`,
        );
      });
    expect(problems).toEqual([]);
  });
});
