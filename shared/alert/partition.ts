import { partition as sdkPartition } from '@aws-sdk/core/client';

/** The partitions whose console Klaxon links to (hosts below); other partitions get no console link. */
export type ConsolePartition = 'aws' | 'aws-cn' | 'aws-us-gov';

/**
 * A Region code as Klaxon accepts it: lower-case letters, digits and dashes, at most 64 characters
 * (`us-east-1`, `eusc-de-east-1`, `us-isob-east-1`, an anonymised `xx-anon-1`). Whether the code
 * names a Region the SDK knows is a separate question ({@link regionPartition}).
 */
export const REGION_CODE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** True for text shaped like a Region code ({@link REGION_CODE}). */
export function isRegionCode(text: string): boolean {
  return text.length <= 64 && REGION_CODE.test(text);
}

/**
 * The partition of a Region code from the AWS SDK's own partition data (`aws`, `aws-cn`,
 * `aws-us-gov`, `aws-eusc`, `aws-iso`, `aws-iso-b`…), or undefined when the data neither lists the
 * Region nor matches it to a partition other than the SDK's fallback (`aws` for anything).
 */
export function regionPartition(region: string): string | undefined {
  if (!isRegionCode(region)) return undefined;
  // The SDK's lookup walks every partition's Region list and pattern, and it ran for every alert
  // (3% of a replay's CPU). Its data is fixed for the process, so answers are kept, up to a bound:
  // Region codes arrive in events, and a flood of made-up ones must not grow memory.
  if (PARTITION_CACHE.has(region)) return PARTITION_CACHE.get(region);
  const name = sdkRegionPartition(region);
  if (PARTITION_CACHE.size < PARTITION_CACHE_LIMIT) PARTITION_CACHE.set(region, name);
  return name;
}

/** How many Region codes {@link regionPartition} remembers; past that it asks the SDK each time. */
export const PARTITION_CACHE_LIMIT = 256;

const PARTITION_CACHE = new Map<string, string | undefined>();

function sdkRegionPartition(region: string): string | undefined {
  const found = sdkPartition(region);
  // The SDK answers `aws` for any text; only a listed Region (it has a description) or another
  // partition's pattern is a real answer.
  const listed = typeof (found as { description?: unknown }).description === 'string';
  if (found.name !== 'aws' || listed) return found.name;
  return undefined;
}

const CONSOLE_PARTITIONS: ReadonlySet<string> = new Set<ConsolePartition>(['aws', 'aws-cn', 'aws-us-gov']);

/**
 * The partition whose console shows a Region, or undefined when the Region is unknown or its
 * partition has no console Klaxon links to (the alert then carries no console link).
 */
export function consolePartitionOf(region: string): ConsolePartition | undefined {
  const name = regionPartition(region);
  return name !== undefined && CONSOLE_PARTITIONS.has(name) ? (name as ConsolePartition) : undefined;
}

/** The partition an ARN names (`arn:<partition>:…`), or undefined when the text is not an ARN. */
export function arnPartition(arn: string): string | undefined {
  const match = /^arn:(aws(?:-[a-z]+)*):/.exec(arn);
  return match?.[1];
}

/** The partition of an ARN when Klaxon links to its console, else undefined. */
export function consolePartitionOfArn(arn: string): ConsolePartition | undefined {
  const name = arnPartition(arn);
  return name !== undefined && CONSOLE_PARTITIONS.has(name) ? (name as ConsolePartition) : undefined;
}

/** The console host of a partition and Region. */
export function consoleHost(partition: ConsolePartition, region: string): string {
  switch (partition) {
    case 'aws-cn':
      return `https://${region}.console.amazonaws.cn`;
    case 'aws-us-gov':
      return `https://${region}.console.amazonaws-us-gov.com`;
    default:
      return `https://${region}.console.aws.amazon.com`;
  }
}

/** The console host for a Region, or undefined when it has none Klaxon links to (see {@link consolePartitionOf}). */
export function consoleHome(region: string): string | undefined {
  const partition = consolePartitionOf(region);
  return partition ? consoleHost(partition, region) : undefined;
}
