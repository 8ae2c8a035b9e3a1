import type { EventPattern } from '../security/pattern';
import type { DeliveryRule, EventBridgeRoute, SourceDescriptor } from './descriptor';
import { SOURCES } from './registry';

/**
 * The deploy-time lists generated from the source descriptors (`npx tsx scripts/generate-sources.ts`
 * writes `deploy/sources.json`): serverless.yml, deploy/dashboard.cjs, deploy/remediation-iam.cjs and
 * the member forwarding template read them, and a test fails when the committed file is stale.
 */

/** The SSM status rule of one kind of remediation document, before klaxon.yml names the documents. */
export interface RemediationStatusRule {
  /** The action catalog's `kind` of the documents this rule reports. */
  documentKind: 'automation' | 'run-command';
  /** The `detail` field the deploy step fills with the enabled documents' names. */
  documentField: string;
  /** The pattern without the document filter: source, detail-type and the final statuses. */
  pattern: EventPattern;
}

/** The content of `deploy/sources.json`. */
export interface SourcesFile {
  generatedBy: string;
  note: string;
  /** One combined pattern per rule that delivers several source routes. */
  eventPatterns: { alarmStateChanges: EventPattern; informational: EventPattern };
  remediationStatus: RemediationStatusRule[];
  /** The `source` labels of the informational sources (dashboard timeline, in registry order). */
  informationalSources: string[];
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** The pattern of some routes: their AWS sources (never detail-types alone) and their detail-types. */
export function patternOf(routes: readonly EventBridgeRoute[]): EventPattern {
  return {
    source: unique(routes.map((route) => route.source)),
    'detail-type': unique(routes.flatMap((route) => route.detailTypes)),
  };
}

/** The pattern of every route one generated rule delivers. */
export function combinedPattern(sources: readonly SourceDescriptor[], rule: DeliveryRule): EventPattern {
  return patternOf(
    sources.flatMap((descriptor) => descriptor.eventBridge.filter((route) => route.rule === rule)),
  );
}

function remediationStatusRules(sources: readonly SourceDescriptor[]): RemediationStatusRule[] {
  return sources
    .flatMap((descriptor) => descriptor.eventBridge)
    .filter((route) => route.rule === 'remediation-status')
    .map(({ source, detailTypes, statusFilter }) => ({
      documentKind: statusFilter.documentKind,
      documentField: statusFilter.documentField,
      pattern: {
        source: [source],
        'detail-type': [...detailTypes],
        detail: { [statusFilter.statusField]: [...statusFilter.finalStatuses] },
      },
    }));
}

/** Builds the content of `deploy/sources.json` from the registry. */
export function buildSourcesFile(sources: readonly SourceDescriptor[] = SOURCES): SourcesFile {
  return {
    generatedBy: 'npx tsx scripts/generate-sources.ts (from shared/sources/registry.ts); do not edit',
    note:
      'eventPatterns: the alarm notifier and operational-events rules (serverless.yml) and the member ' +
      'forwarding rules. remediationStatus: the SSM status rules, whose document filter ' +
      'deploy/remediation-iam.cjs adds from klaxon.yml. informationalSources: the dashboard timeline.',
    eventPatterns: {
      alarmStateChanges: combinedPattern(sources, 'alarm-state-changes'),
      informational: combinedPattern(sources, 'informational'),
    },
    remediationStatus: remediationStatusRules(sources),
    informationalSources: unique(sources.filter((d) => d.informational).map((d) => d.label)),
  };
}
