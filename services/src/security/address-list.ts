import net from 'node:net';

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is the IPv4 address for every comparison and count. */
export const unmapIPv4 = (ip: string) => (ip.toLowerCase().startsWith('::ffff:') && net.isIPv4(ip.slice(7)) ? ip.slice(7) : ip);

/** Why a configured entry is not an IP address or a CIDR block, or null when it is one. */
export function addressEntryError(entry: string): string | null {
  const [addr, bits, extra] = entry.split('/');
  const family = net.isIP(addr);
  if (!family || extra !== undefined) return `"${entry}" is not an IP address or a CIDR block`;
  if (bits === undefined) return null;
  const max = family === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max ? null : `"${entry}": the prefix length must be 0 to ${max}`;
}

/** "a, b/24, c" from the environment: trimmed entries, empty ones dropped. */
export const splitList = (v: string) => v.split(',').map((e) => e.trim()).filter(Boolean);

/** Whether an address is in a list of IP addresses and CIDR blocks (entries already checked by addressEntryError). */
export function addressList(entries: readonly string[]): (ip: string) => boolean {
  const list = new net.BlockList();
  for (const entry of entries) {
    const [addr, bits] = entry.split('/');
    const type = net.isIPv4(addr) ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return (ip) => {
    const a = unmapIPv4(ip);
    const family = net.isIP(a);
    return family !== 0 && list.check(a, family === 4 ? 'ipv4' : 'ipv6');
  };
}
