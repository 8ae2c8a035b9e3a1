import type { Detection } from './detection';
import { isRecord } from '../json';
import type { EventPattern, PatternCondition } from './pattern';

/**
 * Narrows the catalog to the detections whose pattern can match an event, by its
 * `detail.eventName`, so one CloudTrail event is matched against a handful of patterns instead of
 * every one. A detection whose pattern lists only exact event names is filed under each name; any
 * other detection (an operator on the name, or no name at all) is kept for every event. The lists
 * keep catalog order, so the evaluation gives the same hits in the same order as a full scan.
 */
export interface DetectionIndex {
  /** The detections worth matching against `raw` (the whole EventBridge event), in catalog order. */
  candidatesFor(raw: unknown): readonly Detection[];
}

function exactNames(conditions: unknown): readonly string[] | undefined {
  if (!Array.isArray(conditions)) return undefined;
  const names = conditions as readonly PatternCondition[];
  return names.every((c): c is string => typeof c === 'string') ? names : undefined;
}

function isNestedPattern(node: EventPattern[string] | undefined): node is EventPattern {
  return node !== undefined && !Array.isArray(node);
}

/** Builds the index of one catalog. */
export function buildDetectionIndex(catalog: readonly Detection[]): DetectionIndex {
  const namesOf = catalog.map((d) => {
    const detail = d.pattern['detail'];
    return isNestedPattern(detail) ? exactNames(detail['eventName']) : undefined;
  });
  const unindexed = catalog.filter((_, i) => namesOf[i] === undefined);
  const byName = new Map<string, Detection[]>();
  for (const names of namesOf) for (const name of names ?? []) byName.set(name, []);
  for (const [name, list] of byName) {
    catalog.forEach((d, i) => {
      const names = namesOf[i];
      if (names === undefined || names.includes(name)) list.push(d);
    });
  }
  return {
    candidatesFor(raw) {
      const detail = isRecord(raw) ? raw['detail'] : undefined;
      const name = isRecord(detail) ? detail['eventName'] : undefined;
      // A name that is not a string (an array, say) could match by any element: scan everything.
      if (typeof name !== 'string') return catalog;
      return byName.get(name) ?? unindexed;
    },
  };
}

const indexes = new WeakMap<readonly Detection[], DetectionIndex>();

/** The index of `catalog`, built on first use and kept as long as the catalog lives. */
export function detectionIndexOf(catalog: readonly Detection[]): DetectionIndex {
  let index = indexes.get(catalog);
  if (!index) {
    index = buildDetectionIndex(catalog);
    indexes.set(catalog, index);
  }
  return index;
}
