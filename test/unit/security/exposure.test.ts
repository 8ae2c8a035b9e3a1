import { describe, expect, it } from 'vitest';
import { exposesToInternet } from '../../../shared/security/cidr';
import { type IngressPermission, opensAdminPortToWorld } from '../../../shared/security/predicates';

const ssh = (cidrs: string[], more: Partial<IngressPermission> = {}): IngressPermission => ({
  protocol: 'tcp',
  fromPort: 22,
  toPort: 22,
  cidrs,
  ...more,
});

describe('exposesToInternet', () => {
  it('treats any /0 as the world, whatever the address bits and notation', () => {
    for (const cidr of [
      '0.0.0.0/0',
      '203.0.113.7/0',
      '10.0.0.1/0',
      '::/0',
      '0:0:0:0:0:0:0:0/0',
      '0000:0000:0000:0000:0000:0000:0000:0000/0',
      '2001:db8::1/0',
      '::ffff:192.0.2.1/0',
      ' 0.0.0.0/0 ',
      '0.0.0.0/00',
    ]) {
      expect(exposesToInternet(cidr), cidr).toBe(true);
    }
  });

  it('treats a public block as wide as /8 (IPv4) or /16 (IPv6) as the internet: split /1s do not evade', () => {
    for (const cidr of ['0.0.0.0/1', '128.0.0.0/1', '64.0.0.0/2', '198.0.0.0/8', '2000::/3', '2001::/16']) {
      expect(exposesToInternet(cidr), cidr).toBe(true);
    }
  });

  it('leaves narrower blocks, private ranges and malformed text alone', () => {
    for (const cidr of [
      '203.0.113.7/32',
      '198.51.100.0/24',
      '192.0.2.0/9',
      '10.0.0.0/8',
      '172.16.0.0/12',
      '192.168.0.0/16',
      'fc00::/7',
      'fd00::/8',
      '2001:db8::/32',
      '2001:db8::/17',
      '0.0.0.0/33',
      '::/129',
      '0.0.0.0/-1',
      '0.0.0.0/0/0',
      '1.2.3/0',
      'sg-0123456789abcdef0',
      '',
      'x'.repeat(300_000),
    ]) {
      expect(exposesToInternet(cidr), cidr.slice(0, 40)).toBe(false);
    }
  });
});

describe('opensAdminPortToWorld', () => {
  it('keeps the admin-port logic: SSH to the world pages, HTTPS to the world does not', () => {
    expect(opensAdminPortToWorld(ssh(['203.0.113.7/0']))).toBe(true);
    expect(opensAdminPortToWorld(ssh(['0:0:0:0:0:0:0:0/0']))).toBe(true);
    expect(opensAdminPortToWorld(ssh(['198.51.100.0/24', '128.0.0.0/1']))).toBe(true);
    expect(opensAdminPortToWorld(ssh(['203.0.113.7/0'], { fromPort: 443, toPort: 443 }))).toBe(false);
    expect(opensAdminPortToWorld(ssh(['203.0.113.7/32']))).toBe(false);
    expect(
      opensAdminPortToWorld(ssh(['::/0'], { protocol: '-1', fromPort: undefined, toPort: undefined })),
    ).toBe(true);
    expect(opensAdminPortToWorld(ssh(['::/0'], { protocol: 'icmp' }))).toBe(false);
  });
});
