import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../services/src/config.ts';
import { consolePlugin } from '../../services/src/console/plugin.ts';
import { publicPlugin } from '../../services/src/public/plugin.ts';
import { clientAddress, trustedProxies } from '../../services/src/security/client-address.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { DIST, Session } from './helpers.ts';

describe('the client address behind proxies', () => {
  const trusted = trustedProxies(['127.0.0.1', '172.16.0.0/12', 'fd00::/8']);

  it('is the peer when the peer is not a trusted proxy, whatever X-Forwarded-For says', () => {
    expect(clientAddress('203.0.113.9', '10.9.9.9', trusted)).toBe('203.0.113.9');
    expect(clientAddress('::ffff:203.0.113.9', undefined, trusted)).toBe('203.0.113.9');
  });

  it('is the rightmost address that is not a trusted proxy', () => {
    expect(clientAddress('127.0.0.1', '203.0.113.9', trusted)).toBe('203.0.113.9');
    // The client wrote the left part; nginx appended the address it saw, then a second proxy of ours did.
    expect(clientAddress('127.0.0.1', '6.6.6.6, 203.0.113.9, 172.18.0.4', trusted)).toBe('203.0.113.9');
    expect(clientAddress('::ffff:172.18.0.2', '198.51.100.1:5123, [fd00::4]:80', trusted)).toBe('198.51.100.1');
    // Every hop is ours: the furthest one; a hop that is no address: the last one a trusted proxy vouched for.
    expect(clientAddress('127.0.0.1', '172.18.0.4', trusted)).toBe('172.18.0.4');
    expect(clientAddress('127.0.0.1', 'evil, 172.18.0.4', trusted)).toBe('172.18.0.4');
    expect(clientAddress('127.0.0.1', '', trusted)).toBe('127.0.0.1');
  });

  it('refuses a TRUSTED_PROXIES entry that is not an address or a CIDR block, naming the variable', () => {
    expect(loadConfig({ TRUSTED_PROXIES: ' 127.0.0.1 , 10.0.0.0/8,::1' }).TRUSTED_PROXIES).toEqual(['127.0.0.1', '10.0.0.0/8', '::1']);
    expect(loadConfig({}).TRUSTED_PROXIES).toEqual([]);
    expect(() => loadConfig({ TRUSTED_PROXIES: 'nginx' })).toThrow(/TRUSTED_PROXIES: "nginx" is not an IP address/);
    expect(() => loadConfig({ TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(/TRUSTED_PROXIES: "10.0.0.0\/33": the prefix length/);
  });
});

/** The console (login limit of 3 per address) and the public pages, with the given proxies trusted. */
const start = (proxies: string) =>
  startServer({
    env: { TRUSTED_PROXIES: proxies },
    plugins: async (b) => [
      await consolePlugin(b.services, { distDir: DIST, loginMaxPerIp: 3, loginMaxPerAccount: 100 }),
      publicPlugin({ RETENTION_JOB: 'off' }),
    ],
  });

const failLogin = (srv: TestServer, xff: string, n: number) =>
  new Session(srv.url, xff).login(`guess${n}@test.fr`, 'not the password').then((r) => r.status);

describe('over HTTP from a peer that is not a trusted proxy (none configured)', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await start('');
  });
  afterAll(async () => {
    await srv?.close();
  });

  it('counts the peer: a new X-Forwarded-For on each attempt does not reset the limit', async () => {
    for (let i = 0; i < 3; i++) expect(await failLogin(srv, `10.7.0.${i}`, i)).toBe(401);
    expect(await failLogin(srv, '10.7.0.99', 99)).toBe(429);
  });

  it('does not believe its X-Forwarded-Proto either (no HSTS over plain HTTP)', async () => {
    const res = await fetch(`${srv.url}/health`, { headers: { 'x-forwarded-proto': 'https' } });
    await res.text();
    expect(res.headers.get('strict-transport-security')).toBeNull();
  });
});

describe('over HTTP from a trusted proxy (127.0.0.1 configured)', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await start('127.0.0.1');
  });
  afterAll(async () => {
    await srv?.close();
  });

  it('counts the forwarded address, the rightmost untrusted one', async () => {
    for (let i = 0; i < 3; i++) expect(await failLogin(srv, '10.8.0.1', i)).toBe(401);
    expect(await failLogin(srv, '10.8.0.1', 3)).toBe(429);
    // A client that writes its own X-Forwarded-For before the proxy appends the real address is still 10.8.0.1.
    expect(await failLogin(srv, '6.6.6.6, 10.8.0.1', 4)).toBe(429);
    // Another client behind the same proxy has its own count.
    expect(await failLogin(srv, '10.8.0.2', 5)).toBe(401);
  });

  it('believes its X-Forwarded-Proto', async () => {
    const res = await fetch(`${srv.url}/health`, { headers: { 'x-forwarded-proto': 'https' } });
    await res.text();
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });
});
