import { describe, expect, it } from 'vitest';
import { consoleOptions } from '../../services/src/console/options.ts';
import { assertPublicHost, resolveAllowedHost } from '../../services/src/console/public-host.ts';

describe('feed import URLs', () => {
  for (const url of [
    'http://127.0.0.1:8080/f.zip',
    'http://localhost/f.zip',
    'https://10.1.2.3/f.zip',
    'http://[::1]/f.zip',
    'http://169.254.169.254/latest/meta-data',
    'http://192.168.1.20/f.zip',
    'http://[::ffff:127.0.0.1]/f.zip',
    'http://[fd12:3456::1]/f.zip',
    'http://0.0.0.0/f.zip',
  ]) {
    it(`refuses a private or loopback address, without naming it: ${url}`, async () => {
      const refused = await assertPublicHost(url).catch((e: Error & { code?: string }) => e);
      expect(refused).toMatchObject({ code: 'E_DOWNLOAD', message: expect.stringMatching(/réseau privé ou local : téléchargement refusé/) });
      // The coordinator learns that it is refused, not where the name leads.
      expect((refused as Error).message).not.toMatch(/\d+\.\d+\.\d+\.\d+|::|\[/);
    });
  }

  it('lets a public address through', async () => {
    await expect(assertPublicHost('https://193.51.224.1/f.zip')).resolves.toBeUndefined();
  });

  it('lets through only the private addresses listed, and every address of a name must pass', async () => {
    await expect(resolveAllowedHost('127.0.0.1', ['127.0.0.1'])).resolves.toEqual({ address: '127.0.0.1', family: 4 });
    await expect(resolveAllowedHost('10.1.2.3', ['10.1.0.0/16'])).resolves.toMatchObject({ address: '10.1.2.3' });
    await expect(resolveAllowedHost('127.0.0.2', ['127.0.0.1'])).rejects.toMatchObject({ code: 'E_DOWNLOAD' });
    const both = async () => [{ address: '127.0.0.1', family: 4 }, { address: '192.168.0.9', family: 4 }];
    await expect(resolveAllowedHost('feeds.test', ['127.0.0.1'], both)).rejects.toMatchObject({ code: 'E_DOWNLOAD' });
    await expect(resolveAllowedHost('feeds.test', true, both)).resolves.toEqual({ address: '127.0.0.1', family: 4 });
  });

  it('says a name does not resolve, without the resolver’s error', async () => {
    const none = async () => {
      throw new Error('getaddrinfo ENOTFOUND nowhere.test via 10.0.0.53');
    };
    await expect(resolveAllowedHost('nowhere.test', false, none)).rejects.toMatchObject({
      code: 'E_DOWNLOAD',
      message: expect.not.stringContaining('10.0.0.53'),
    });
  });
});

describe('import settings', () => {
  const allow = (v?: string) => consoleOptions({ CONSOLE_IMPORT_ALLOW_PRIVATE_HOSTS: v }, '/').allowPrivateHosts;
  it('reads CONSOLE_IMPORT_ALLOW_PRIVATE_HOSTS as none, all, or a list of addresses, and refuses anything else', () => {
    expect(allow(undefined)).toBe(false);
    expect(allow('true')).toBe(true);
    expect(allow('10.20.0.0/16, 127.0.0.1')).toEqual(['10.20.0.0/16', '127.0.0.1']);
    expect(() => allow('yes')).toThrow(/CONSOLE_IMPORT_ALLOW_PRIVATE_HOSTS: "yes" is not an IP address/);
  });

  it('has download limits by default, each one settable', () => {
    const o = consoleOptions({ CONSOLE_IMPORT_MAX_BYTES: '1000', CONSOLE_IMPORT_IDLE_TIMEOUT_MS: '500' }, '/');
    expect(o.importLimits).toEqual({ connectTimeoutMs: 10_000, idleTimeoutMs: 500, totalTimeoutMs: 900_000, maxBytes: 1000, maxRedirects: 5 });
    expect(() => consoleOptions({ CONSOLE_IMPORT_TIMEOUT_MS: '0' }, '/')).toThrow(/CONSOLE_IMPORT_TIMEOUT_MS/);
  });
});
