import { afterAll, beforeAll, expect, it } from 'vitest';
import { toLocal } from '../../services/src/interop/time.ts';
import { messagingPlugin } from '../../services/src/messaging/plugin.ts';
import { toClock } from '../../services/src/time/clock.ts';
import { StraightLineRouter } from '../../services/src/routing/straight-line.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { messagingFixtures } from './fixture.ts';

let srv: TestServer;
let territoryId: number;
const { fixture, walk } = messagingFixtures(() => srv, () => territoryId);

beforeAll(async () => {
  // The embedded default (PGlite here, as `npm start`), no provider configured, the sender running in-process.
  srv = await startServer({ router: new StraightLineRouter(), plugins: () => [messagingPlugin({ MESSAGING_POLL_MS: '100' })] });
  territoryId = (await srv.api('POST', '/api/territories', { slug: 'lot-dry-run', name: 'Lot (dry run)', coordinatorPhone: '05 65 53 00 00' })).body.id;
});
afterAll(async () => srv?.close());

it('with no provider, confirming a match shows both confirmations as dry run, with the exact text that would go', async () => {
  // Quiet hours far from now, so that the test does not depend on the hour it runs at.
  const m = toLocal(Math.floor(Date.now() / 1000), 'Europe/Paris').min;
  const quietHours = { start: toClock((m + 600) % 1440), end: toClock((m + 660) % 1440) };
  const messaging = { channel: 'sms', consent: true, quietHours };
  const f = await fixture({ driver: { messaging }, passenger: { messaging } });
  await walk(f.matchId, 'accepted', 'confirmed');
  const filter = encodeURIComponent(JSON.stringify({ matchId: f.matchId, kind: 'confirmation' }));
  let list: Awaited<ReturnType<TestServer['api']>> | undefined;
  for (let i = 0; i < 100; i++) {
    list = await srv.api('GET', `/api/messages?filter=${filter}`);
    if (list.body.length === 2 && list.body.every((x: any) => x.status === 'dry_run')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(list!.body.map((x: any) => [x.personId, x.status, x.provider]).sort()).toEqual(
    [[f.driverId, 'dry_run', 'dry_run'], [f.passengerId, 'dry_run', 'dry_run']].sort(),
  );
  const one = await srv.api('GET', `/api/messages/${list!.body.find((x: any) => x.personId === f.passengerId).id}`);
  expect(one.body.text).toMatch(/^CoMobi : trajet confirmé le \d\d\/\d\d\/\d{4} à 0[78]h\d\d\. RDV Place de la Mairie, Le Vigan\. Conducteur : Pierre 06 12 34 \d\d 78\. Coordination : 05 65 53 00 00$/);
});
