import type { RunbookRule } from '../config/load';

/** The AWS console's host for a partition and region. */
export function consoleBase(partition: 'aws' | 'aws-cn' | 'aws-us-gov', region: string): string {
  switch (partition) {
    case 'aws-cn':
      return `https://${region}.console.amazonaws.cn`;
    case 'aws-us-gov':
      return `https://${region}.console.amazonaws-us-gov.com`;
    default:
      return `https://${region}.console.aws.amazon.com`;
  }
}

/** A deep link to one alarm in the CloudWatch console, in the alarm's own region and partition. */
export function alarmConsoleUrl(
  partition: 'aws' | 'aws-cn' | 'aws-us-gov',
  region: string,
  alarmName: string,
): string {
  return `${consoleBase(partition, region)}/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}

const URL_IN_TEXT = /https?:\/\/[^\s<>"'`)\]]+/;

/** The first http(s) URL in free text (alarm descriptions often carry the runbook), without trailing punctuation. */
export function firstUrl(text: string | undefined): string | undefined {
  const match = text?.match(URL_IN_TEXT)?.[0];
  return match?.replace(/[.,;:!?]+$/, '');
}

/** Where a runbook link came from, for the decision record. */
export type RunbookSource = 'catalog' | 'tag' | 'description';

/** Picks the runbook: the catalog first, else the alarm's `runbook` tag, else the first URL in its description. */
export function resolveRunbook(
  labels: Readonly<Record<string, string | undefined>>,
  catalog: readonly RunbookRule[],
  tagUrl: string | undefined,
  description: string | undefined,
): { url: string; from: RunbookSource } | undefined {
  const rule = catalog.find((r) => r.matcher.matches(labels));
  if (rule) return { url: rule.url, from: 'catalog' };
  if (tagUrl && /^https?:\/\//.test(tagUrl)) return { url: tagUrl, from: 'tag' };
  const fromDescription = firstUrl(description);
  return fromDescription ? { url: fromDescription, from: 'description' } : undefined;
}
