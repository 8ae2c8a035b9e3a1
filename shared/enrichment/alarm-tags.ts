import { RESERVED_LABELS } from '../sources/cloudwatch-alarm/normalize';
import type { AlertDraft } from '../sources/types';

/** What an alarm's tags add to a draft: labels to route on, and the severity and runbook hints. */
export type TagPromotion = Pick<AlertDraft, 'labels' | 'severityHint' | 'runbookHint'>;

/**
 * The draft's labels and hints with the promoted tags added: `severity` and `runbook` act as the
 * event's own tags do, the others become labels unless reserved or already set.
 */
export function promoteTags(
  draft: TagPromotion,
  tags: Record<string, string>,
  promote: readonly string[],
): TagPromotion {
  const labels = { ...draft.labels };
  let { severityHint, runbookHint } = draft;
  for (const key of promote) {
    const value = tags[key];
    if (value === undefined || value === '') continue;
    if (key === 'severity' && !severityHint) severityHint = { word: value, from: 'alarm tag "severity"' };
    if (key === 'runbook' && !runbookHint) runbookHint = value;
    if (!RESERVED_LABELS.has(key) && !(key in labels)) labels[key] = value;
  }
  return { labels, ...(severityHint && { severityHint }), ...(runbookHint && { runbookHint }) };
}
