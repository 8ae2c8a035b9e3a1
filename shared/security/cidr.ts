/**
 * IPv4 and IPv6 address and CIDR parsing and matching over bigints, compiled once per CIDR.
 * IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`) match IPv4 CIDRs.
 */

/** A parsed IP address. */
export interface IpAddress {
  version: 4 | 6;
  value: bigint;
}

/** A parsed CIDR block. */
export interface CidrBlock {
  version: 4 | 6;
  /** The network address with host bits cleared. */
  network: bigint;
  prefix: number;
  /** The block as written. */
  text: string;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
const DECIMAL = /^\d{1,3}$/;
const MAPPED_PREFIX = 0xffffn << 32n;

function parseIpv4(text: string): bigint | undefined {
  const match = IPV4.exec(text);
  if (!match) return undefined;
  let value = 0n;
  for (const part of match.slice(1)) {
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const groups: number[] = [];
  const parts = text.split(':');
  for (const [index, part] of parts.entries()) {
    if (index === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4(part);
      if (v4 === undefined) return undefined;
      groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
    } else if (HEX_GROUP.test(part)) {
      groups.push(Number.parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(group), 0n);
}

/** Parses an IPv4 or IPv6 address (no zone id); undefined for anything else (e.g. a service name). */
export function parseIp(text: string): IpAddress | undefined {
  const trimmed = text.trim();
  const v4 = parseIpv4(trimmed);
  if (v4 !== undefined) return { version: 4, value: v4 };
  if (!trimmed.includes(':')) return undefined;
  const v6 = parseIpv6(trimmed);
  return v6 === undefined ? undefined : { version: 6, value: v6 };
}

/** Parses `address/prefix` (a bare address is a /32 or /128); undefined when malformed. */
export function parseCidr(text: string): CidrBlock | undefined {
  const [address = '', prefixText, extra] = text.trim().split('/');
  if (extra !== undefined) return undefined;
  const ip = parseIp(address);
  if (!ip) return undefined;
  const bits = ip.version === 4 ? 32 : 128;
  if (prefixText !== undefined && !DECIMAL.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return undefined;
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
  return { version: ip.version, network: ip.value & mask, prefix, text: text.trim() };
}

/** True when `ip` lies inside `block`; IPv4-mapped IPv6 addresses are compared as IPv4. */
export function cidrContains(block: CidrBlock, ip: IpAddress): boolean {
  let address = ip;
  if (block.version === 4 && ip.version === 6 && ip.value >> 32n === 0xffffn) {
    address = { version: 4, value: ip.value ^ MAPPED_PREFIX };
  }
  if (address.version !== block.version) return false;
  const bits = block.version === 4 ? 32 : 128;
  const shift = BigInt(bits - block.prefix);
  return address.value >> shift === block.network >> shift;
}
