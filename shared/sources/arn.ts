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
  // Index by index rather than split: the resource part may hold any number of colons.
  if (!arn.startsWith('arn:')) return undefined;
  const ends: number[] = [3];
  for (let i = 0; i < 4; i += 1) {
    const colon = arn.indexOf(':', (ends[i] as number) + 1);
    if (colon === -1) return undefined;
    ends.push(colon);
  }
  const [, partitionEnd, serviceEnd, regionEnd, accountEnd] = ends as [
    number,
    number,
    number,
    number,
    number,
  ];
  const arnPartition = arn.slice(4, partitionEnd);
  const service = arn.slice(partitionEnd + 1, serviceEnd);
  const region = arn.slice(serviceEnd + 1, regionEnd);
  const account = arn.slice(regionEnd + 1, accountEnd);
  if (!/^aws(-[a-z]+)*$/.test(arnPartition) || !service) return undefined;
  if (region && !isRegionCode(region)) return undefined;
  if (account && !/^\d{12}$/.test(account)) return undefined;
  return {
    arnPartition,
    partition: region ? consolePartitionOf(region) : undefined,
    service,
    region,
    account,
    resource: arn.slice(accountEnd + 1),
  };
}
