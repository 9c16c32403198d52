import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, csrfOf, startPublic, type PublicServer } from './helpers.ts';

let srv: PublicServer;
beforeAll(async () => {
  srv = await startPublic({ demo: true });
});
afterAll(async () => {
  await srv?.close();
});

const CAHORS = '46042';
const FIGEAC = '46102';
/** The Monday after next (a weekday the test driver runs, and no demo request on it yet). */
const monday = () => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7 || 7) + 7);
  return d.toISOString().slice(0, 10);
};
const ask = (over: Record<string, string>) => ({
  prenom: 'Ysoline', telephone: '06 55 44 33 11', depart: CAHORS, arrivee: FIGEAC, date: monday(), sens: 'arrive',
  heure: '09:00', motif: 'health', places: '1', consentement: 'oui', ...over,
});

describe('"Je cherche un trajet" with a way back', () => {
  it('offers no return, a return at a time, or about N hours after arrival', async () => {
    const b = new Browser(srv.url);
    const { text } = await b.get('/t/lot/chercher');
    expect(text).toContain('Et pour le retour ?');
    expect(text).toContain('name="heure_retour"');
    expect(text).toContain('environ 2 h 30 après l’arrivée');
  });

  it('records the return and matches it: a commuter back from Figeac in the evening', async () => {
    const t = (await srv.api('GET', '/api/territories')).body.find((x: any) => x.slug === 'lot').id;
    const d = (await srv.api('POST', '/api/people', { territoryId: t, isDriver: true, firstName: 'Inventé' })).body.id;
    const trip = await srv.api('POST', '/api/trips', {
      territoryId: t, driverId: d, kind: 'regular', weekdays: [1, 2, 3, 4, 5], departureTime: '07:50', returnTime: '17:30', seats: 2,
      origin: { lng: 1.4419, lat: 44.4475 }, destination: { lng: 2.0317, lat: 44.6086 },
    });
    expect(trip.status).toBe(201);
    const b = new Browser(srv.url);
    const csrf = csrfOf((await b.get('/t/lot/chercher')).text);
    const r = await b.post('/t/lot/chercher', ask({ retour: 'heure', heure_retour: '17:30' }), csrf);
    expect(r.res.status).toBe(200);
    expect(r.text).toContain('départ du retour à 17:30');
    const { rows } = await srv.testDb.db.query<{ return_min: number; return_after_min: number | null; legs: string[] }>(
      `SELECT r.return_min, r.return_after_min, ARRAY(SELECT DISTINCT m.request_leg FROM matches m WHERE m.request_id = r.id AND m.trip_id = $1 ORDER BY 1) AS legs
       FROM requests r JOIN person_identities i ON i.person_id = r.passenger_id WHERE i.phone = '06 55 44 33 11'`,
      [trip.body.id],
    );
    expect(rows).toEqual([{ return_min: 17 * 60 + 30, return_after_min: null, legs: ['outbound', 'return'] }]);

    const after = await b.post('/t/lot/chercher', ask({ telephone: '06 55 44 33 12', retour: 'apres', duree_retour: '480' }), csrfOf((await b.get('/t/lot/chercher')).text));
    expect(after.res.status).toBe(200);
    expect(after.text).toContain('environ 8 h après l’arrivée');
    const a = await srv.testDb.db.query<{ return_after_min: number }>(
      `SELECT r.return_after_min FROM requests r JOIN person_identities i ON i.person_id = r.passenger_id WHERE i.phone = '06 55 44 33 12'`);
    expect(a.rows).toEqual([{ return_after_min: 480 }]);
  });

  it('says in French what is wrong with the return, on the field', async () => {
    const b = new Browser(srv.url);
    const post = async (over: Record<string, string>) => b.post('/t/lot/chercher', ask({ telephone: '06 55 44 33 13', ...over }), csrfOf((await b.get('/t/lot/chercher')).text));
    const early = await post({ retour: 'heure', heure_retour: '08:00' });
    expect(early.res.status).toBe(400);
    expect(early.text).toContain('L’heure du retour doit être après celle de l’aller.');
    expect(early.text).toMatch(/id="f-heure_retour"[^>]*aria-invalid="true"/);
    const noWait = await post({ retour: 'apres', duree_retour: '17' });
    expect(noWait.res.status).toBe(400);
    expect(noWait.text).toContain('Choisissez le temps passé sur place avant le retour.');
    const late = await post({ heure: '20:00', retour: 'apres', duree_retour: '300' });
    expect(late.res.status).toBe(400);
    expect(late.text).toContain('Le retour partirait après minuit');
    const { rows } = await srv.testDb.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM requests r JOIN person_identities i ON i.person_id = r.passenger_id WHERE i.phone = '06 55 44 33 13'`);
    expect(rows[0].n).toBe(0);
  });
});
