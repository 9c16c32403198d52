import dns from 'node:dns/promises';
import net from 'node:net';
import { GtfsError } from '@comobi/gtfs-import';
import { addressList, unmapIPv4 } from '../security/address-list.ts';

/**
 * Loopback, private, link-local, CGNAT, unique-local, multicast and reserved ranges: never fetched for a user unless
 * allowed. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are compared as the IPv4 address they carry.
 */
const isPrivate = addressList([
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24',
  '192.168.0.0/16', '198.18.0.0/15', '224.0.0.0/3',
  '::/128', '::1/128', '64:ff9b:1::/48', 'fc00::/7', 'fe80::/10', 'fec0::/10', 'ff00::/8',
]);

/**
 * Which loopback or private addresses a feed may come from: none (`false`, the default), all (`true`: tests, a
 * territory's own network), or the listed addresses and CIDR blocks only.
 */
export type PrivateHostPolicy = boolean | readonly string[];

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Name → every address it has. Replaceable so that a test can play a DNS server that changes its answers. */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;
export const systemResolver: Resolver = (host) => dns.lookup(host, { all: true, verbatim: true });

/**
 * Shown to the coordinator who typed the URL: it says why, never which address the name has (that would map the
 * service's network for whoever asks).
 */
export const hostRefused = () =>
  new GtfsError({ code: 'E_DOWNLOAD' }, 'l’adresse de ce flux mène à un réseau privé ou local : téléchargement refusé');

const allowedBy = (policy: PrivateHostPolicy) =>
  policy === true ? () => true : policy === false ? () => false : addressList(policy);

/**
 * The address to connect to for a host, after checking every address the name resolves to: a coordinator gives a
 * URL and the server fetches it, so without this anyone with a console account could make the service read internal
 * addresses (metadata services, the database's admin pages…). The caller connects to the returned address itself
 * (never resolving the name again: a second answer could differ, DNS rebinding).
 */
export async function resolveAllowedHost(
  hostname: string,
  policy: PrivateHostPolicy = false,
  resolve: Resolver = systemResolver,
): Promise<ResolvedAddress> {
  const host = hostname.replace(/^\[|\]$/g, '');
  let addresses: ResolvedAddress[];
  if (net.isIP(host)) addresses = [{ address: host, family: net.isIP(host) }];
  else {
    try {
      addresses = await resolve(host);
    } catch {
      addresses = [];
    }
    if (!addresses.length) throw new GtfsError({ code: 'E_DOWNLOAD' }, 'le nom du serveur de ce flux est introuvable');
  }
  const allowed = allowedBy(policy);
  if (addresses.some((a) => isPrivate(a.address) && !allowed(unmapIPv4(a.address)))) throw hostRefused();
  return addresses[0];
}

/** The check alone, for a URL (see resolveAllowedHost). */
export async function assertPublicHost(url: string, policy: PrivateHostPolicy = false, resolve?: Resolver): Promise<void> {
  await resolveAllowedHost(new URL(url).hostname, policy, resolve);
}
