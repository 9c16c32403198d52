import dns from 'node:dns/promises';
import net from 'node:net';
import { GtfsError } from '../../../gtfs-import/src/index.ts';

/** Loopback, private, link-local, CGNAT and unique-local ranges: never fetched for a user unless allowed. */
const blocked = new net.BlockList();
for (const [a, p] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const)
  blocked.addSubnet(a, p, 'ipv4');
// BlockList matches IPv4-mapped IPv6 (::ffff:a.b.c.d) against the IPv4 ranges itself.
for (const [a, p] of [
  ['::1', 128],
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  blocked.addSubnet(a, p, 'ipv6');

/**
 * A coordinator gives a URL and the server fetches it: without this check, anyone with a console account could make
 * the service read internal addresses (metadata services, the database's admin pages…). Every address the name
 * resolves to must be public.
 */
export async function assertPublicHost(url: string): Promise<void> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const addresses = net.isIP(host)
    ? [{ address: host, family: net.isIP(host) }]
    : await dns.lookup(host, { all: true });
  for (const a of addresses) {
    if (blocked.check(a.address, net.isIPv4(a.address) ? 'ipv4' : 'ipv6')) {
      throw new GtfsError(
        { code: 'E_DOWNLOAD' },
        `${host} resolves to a private or loopback address (${a.address}); refused`,
      );
    }
  }
}
