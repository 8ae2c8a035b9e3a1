import type { AlertDraft } from '../sources/types';
import { cloudTrailHistoryUrl } from './links';

/**
 * Security alerts: the CloudTrail normalizer already links the event itself; this adds the event
 * history of the same principal (and resource) around it.
 */
export function withSecurityLinks(draft: AlertDraft): AlertDraft {
  const eventTime = Date.parse(draft.annotations.eventTime ?? draft.startsAt);
  const { partition } = draft;
  if (Number.isNaN(eventTime) || !partition) return draft;
  const window = { start: new Date(eventTime - 3_600_000), end: new Date(eventTime + 3_600_000) };
  const region = draft.labels.region;
  const links = [...draft.links];
  const user = cloudTrailUserName(draft.labels.principal);
  if (user) {
    links.push({
      text: `CloudTrail: ${user} ±1 h`,
      url: cloudTrailHistoryUrl(partition, region, 'Username', user, window),
    });
  }
  const resource = draft.labels.resource;
  if (resource && resource.length <= 200) {
    links.push({
      text: 'CloudTrail: this resource ±1 h',
      url: cloudTrailHistoryUrl(partition, region, 'ResourceName', resource, window),
    });
  }
  return links.length === draft.links.length ? draft : { ...draft, links };
}

/** The user name CloudTrail's event history looks up (`Username`) for a principal label. */
export function cloudTrailUserName(principal: string | undefined): string | undefined {
  if (!principal || principal.startsWith('unknown') || principal.includes('HIDDEN')) return undefined;
  if (!principal.startsWith('arn:')) return principal.includes(' ') ? undefined : principal;
  const resource = principal.split(':').slice(5).join(':');
  if (resource === 'root') return 'root';
  const parts = resource.split('/');
  return parts[parts.length - 1] || undefined;
}
