import { informationalName } from '../sources/informational';

/**
 * The name people know an alert by, in tables and records: its alarm, detection or finding type,
 * a finding's title (else type), an informational event's short name (deployment, scaling activity…), else its fingerprint.
 */
export function alertName(labels: Readonly<Record<string, string | undefined>>, fingerprint: string): string {
  return (
    labels.alarmName ??
    labels.detection ??
    labels.findingTitle ??
    labels.findingType ??
    informationalName(labels) ??
    fingerprint
  );
}
