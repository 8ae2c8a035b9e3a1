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

/**
 * The widest prefix still treated as "the internet" when the block is not private: a split such as
 * `0.0.0.0/1` + `128.0.0.0/1` exposes as much as `0.0.0.0/0` and must not slip past a `/0` check.
 */
export const INTERNET_WIDE_PREFIX: Readonly<Record<4 | 6, number>> = { 4: 8, 6: 16 };

const NON_PUBLIC_BLOCKS = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  'fc00::/7',
  'fe80::/10',
  '::1/128',
].map((text) => parseCidr(text) as CidrBlock);

function within(inner: CidrBlock, outer: CidrBlock): boolean {
  return (
    inner.version === outer.version &&
    inner.prefix >= outer.prefix &&
    cidrContains(outer, { version: inner.version, value: inner.network })
  );
}

/**
 * True when a CIDR, in any notation, opens to the internet: a `/0` whatever its address bits
 * (`203.0.113.7/0`, `0:0:0:0:0:0:0:0/0`), or a public block at least as wide as
 * {@link INTERNET_WIDE_PREFIX}. Unparseable text is not judged open (it cannot be a valid rule).
 */
export function exposesToInternet(text: string): boolean {
  const block = parseCidr(text);
  if (!block) return false;
  if (block.prefix === 0) return true;
  if (block.prefix > INTERNET_WIDE_PREFIX[block.version]) return false;
  return !NON_PUBLIC_BLOCKS.some((reserved) => within(block, reserved));
}

/** True when `ip` is a public address: outside the private, shared, loopback and link-local blocks. */
export function isPublicIp(ip: IpAddress): boolean {
  return !NON_PUBLIC_BLOCKS.some((block) => cidrContains(block, ip));
}
