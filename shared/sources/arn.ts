/** The parts of an ARN Klaxon needs. */
export interface ParsedArn {
  partition: 'aws' | 'aws-cn' | 'aws-us-gov';
  service: string;
  region: string;
  account: string;
  resource: string;
}

const PARTITIONS = new Set(['aws', 'aws-cn', 'aws-us-gov']);

/**
 * Splits an ARN on its first five colons only: alarm names may contain colons, spaces and
 * non-ASCII characters, unencoded. Returns undefined for anything that is not an ARN.
 */
export function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition = '', service = '', region = '', account = ''] = parts;
  if (!PARTITIONS.has(partition) || !service) return undefined;
  if (region && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) return undefined;
  if (account && !/^\d{12}$/.test(account)) return undefined;
  return {
    partition: partition as ParsedArn['partition'],
    service,
    region,
    account,
    resource: parts.slice(5).join(':'),
  };
}
