import { type ConsolePartition, consolePartitionOf, isRegionCode } from '../alert/partition';

/** The parts of an ARN Klaxon needs. */
export interface ParsedArn {
  /** The partition as the ARN spells it (`aws`, `aws-cn`, `aws-eusc`, `aws-iso-b`…). */
  arnPartition: string;
  /** The partition of the Region's console, when Klaxon links to one (see consolePartitionOf). */
  partition: ConsolePartition | undefined;
  service: string;
  region: string;
  account: string;
  resource: string;
}

/**
 * Splits an ARN on its first five colons only: alarm names may contain colons, spaces and
 * non-ASCII characters, unencoded. Any `aws…` partition and any lower-case Region code are
 * accepted. Returns undefined for anything that is not an ARN.
 */
export function parseArn(arn: string): ParsedArn | undefined {
  // Only the first five fields are split off: the resource may hold any number of colons.
  const head = arn.split(':', 5);
  const resourceStart = head.join(':').length + 1;
  if (head.length < 5 || head[0] !== 'arn' || arn[resourceStart - 1] !== ':') return undefined;
  const [, arnPartition = '', service = '', region = '', account = ''] = head;
  if (!/^aws(-[a-z]+)*$/.test(arnPartition) || !service) return undefined;
  if (region && !isRegionCode(region)) return undefined;
  if (account && !/^\d{12}$/.test(account)) return undefined;
  return {
    arnPartition,
    partition: region ? consolePartitionOf(region) : undefined,
    service,
    region,
    account,
    resource: arn.slice(resourceStart),
  };
}
