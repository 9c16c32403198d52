import { describe, expect, it } from 'vitest';
import { assertPublicHost } from '../../services/src/console/public-host.ts';

describe('feed import URLs', () => {
  for (const url of [
    'http://127.0.0.1:8080/f.zip',
    'http://localhost/f.zip',
    'https://10.1.2.3/f.zip',
    'http://[::1]/f.zip',
    'http://169.254.169.254/latest/meta-data',
    'http://192.168.1.20/f.zip',
    'http://[::ffff:127.0.0.1]/f.zip',
  ]) {
    it(`refuses a private or loopback address: ${url}`, async () => {
      await expect(assertPublicHost(url)).rejects.toMatchObject({
        code: 'E_DOWNLOAD',
        message: expect.stringMatching(/private or loopback/),
      });
    });
  }
  it('lets a public address through', async () => {
    await expect(assertPublicHost('https://193.51.224.1/f.zip')).resolves.toBeUndefined();
  });
});
