import net from 'node:net';
import type { Middleware } from 'koa';

/** Whether an address is one of the configured reverse proxies. */
export type TrustedProxies = (ip: string) => boolean;

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is the IPv4 address for every comparison and count. */
const unmap = (ip: string) => (ip.toLowerCase().startsWith('::ffff:') && net.isIPv4(ip.slice(7)) ? ip.slice(7) : ip);

/** One X-Forwarded-For entry without the port some proxies add (`1.2.3.4:5678`, `[2001:db8::1]:443`). */
function hopAddress(hop: string): string {
  const h = hop.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(h);
  if (bracketed) return unmap(bracketed[1]);
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(h);
  return unmap(v4WithPort ? v4WithPort[1] : h);
}

/** Why an entry of TRUSTED_PROXIES is not an address or a CIDR block, or null when it is one. */
export function proxyEntryError(entry: string): string | null {
  const [addr, bits, extra] = entry.split('/');
  const family = net.isIP(addr);
  if (!family || extra !== undefined) return `"${entry}" is not an IP address or a CIDR block`;
  if (bits === undefined) return null;
  const max = family === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max ? null : `"${entry}": the prefix length must be 0 to ${max}`;
}

/** A matcher for IP addresses and CIDR blocks (already validated by the config schema). */
export function trustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new net.BlockList();
  for (const entry of entries) {
    const [addr, bits] = entry.split('/');
    const type = net.isIPv4(addr) ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return (ip) => {
    const a = unmap(ip);
    const family = net.isIP(a);
    return family !== 0 && list.check(a, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/**
 * The client's address. The direct peer, unless it is a trusted proxy: then X-Forwarded-For is read from the right
 * (each proxy appends the address it saw) and the first address that is not a trusted proxy is the client. Anything
 * left of it was written by the client itself and is ignored: taking the leftmost entry, as Koa's `proxy` option
 * does, let anyone pick the address every per-address limit counts.
 */
export function clientAddress(peer: string, forwardedFor: string | undefined, trusted: TrustedProxies): string {
  let address = unmap(peer);
  if (!forwardedFor || !trusted(address)) return address;
  for (const hop of forwardedFor.split(',').reverse()) {
    const ip = hopAddress(hop);
    // Not an address: no proxy of ours wrote that; the last address a trusted proxy vouched for stands.
    if (!net.isIP(ip)) return address;
    address = ip;
    if (!trusted(ip)) return ip;
  }
  // Every hop is a proxy of ours (a health check from inside, say): the furthest one.
  return address;
}

const FORWARDED_HEADERS = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'];

/**
 * Sets `ctx.ip` to the client's address, and removes the X-Forwarded-* headers of a peer that is not a trusted
 * proxy, so that Koa's `proxy` getters (protocol, host, secure) never take a client's word for them either.
 */
export function clientAddressMiddleware(trusted: TrustedProxies): Middleware {
  return async (ctx, next) => {
    const peer = ctx.req.socket.remoteAddress ?? '';
    if (!trusted(peer)) for (const h of FORWARDED_HEADERS) delete ctx.req.headers[h];
    ctx.request.ip = clientAddress(peer, ctx.get('x-forwarded-for') || undefined, trusted);
    await next();
  };
}
