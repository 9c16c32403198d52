import type Router from '@koa/router';
import type { Context, Next } from 'koa';
import type { Services } from '../context.ts';
import type { Queryable } from '../db/index.ts';
import { pointSql } from '../geo/sql.ts';
import { HttpError } from '../http/errors.ts';
import { toClock } from '../http/validate.ts';
import { refreshTrip } from '../matching/leg-store.ts';
import { PURPOSES, toMatchQuery } from '../matching/query.ts';
import { recordConsent } from '../privacy/consents.ts';
import { erasePerson } from '../privacy/erase.ts';
import { exportPerson } from '../privacy/export.ts';
import { storeProposals } from '../resources/requests/routes.ts';
import { RouterError } from '../routing/types.ts';
import { hit } from '../security/rate-limit.ts';
import { readForm } from '../security/body.ts';
import { computeStats } from '../stats/compute.ts';
import { communeShapes } from '../stats/map.ts';
import { statsBody } from '../stats/page.ts';
import { statsQuery } from '../stats/routes.ts';
import { loginNeeded, myTrips, privacyPage, profileForm, type MyRequest, type MyTrip } from './account-pages.ts';
import type { PublicConfig } from './config.ts';
import {
  checked,
  consent,
  clock,
  day,
  type Errors,
  type Form,
  identity,
  int,
  oneOf,
  place,
  weekdays,
  type Identity,
} from './forms.ts';
import type { FranceConnect } from './franceconnect.ts';
import { page, type Html, type PageChrome } from './html.ts';
import { askForm, askResult, home, message, offerForm, offerResult, territoryList, type Offer } from './pages.ts';
import { checkCsrf, closeSession, csrfToken, currentCitizen, openSession, type Citizen } from './session.ts';
import { communesOf, listTerritories, territoryBySlug, type PublicTerritory } from './territories.ts';

const STATE_COOKIE = 'comobi_oidc';

/** The public pages: server-rendered DSFR HTML, French text, forms that work without JavaScript. */
export function publicRoutes(root: Router, s: Services, c: PublicConfig, fc: FranceConnect | null) {
  const jdma = c.JDMA_ID ? { productId: c.JDMA_ID, buttonId: c.JDMA_BUTTON_ID ?? c.JDMA_ID } : undefined;
  const formLimit = { name: 'form', max: c.RATE_LIMIT_FORMS, windowS: c.RATE_LIMIT_WINDOW_S };
  const loginLimit = { name: 'login', max: c.RATE_LIMIT_LOGINS, windowS: c.RATE_LIMIT_WINDOW_S };

  const render = (ctx: Context, chrome: Omit<PageChrome, 'franceConnect' | 'jdma'>, body: Html, status = 200) => {
    ctx.status = status;
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = page({ ...chrome, franceConnect: Boolean(fc), jdma }, body);
  };

  /** Errors of the public pages are pages too (the JSON error middleware serves the API). */
  const pages = (handler: (ctx: Context) => Promise<void>) => async (ctx: Context, next: Next) => {
    try {
      await handler(ctx);
    } catch (e) {
      if (!(e instanceof HttpError) || e.status >= 500) throw e;
      for (const [k, v] of Object.entries(e.headers)) ctx.set(k, v);
      const text: Record<number, [string, string]> = {
        403: [
          'Action refusée',
          e.code === 'login_failed'
            ? 'La connexion avec FranceConnect a échoué. Veuillez réessayer.'
            : 'Le formulaire a expiré ou n’est pas valide. Rechargez la page et réessayez.',
        ],
        404: ['Page non trouvée', 'La page demandée n’existe pas.'],
        413: ['Formulaire trop long', 'Le formulaire envoyé est trop volumineux.'],
        415: ['Formulaire non valide', 'Le formulaire envoyé n’est pas valide.'],
        429: [
          'Trop de tentatives',
          'Vous avez envoyé trop de formulaires. Réessayez dans quelques minutes ou appelez la coordination.',
        ],
      };
      const [title, body] = text[e.status] ?? ['Demande non valide', 'La demande n’est pas valide.'];
      render(ctx, { title }, message(title, body), e.status);
    }
    void next;
  };

  const territoryOf = async (ctx: Context) => {
    const t = await territoryBySlug(s.db, String(ctx.params.slug ?? ''));
    if (!t) throw new HttpError(404, 'not_found', 'territory not found');
    return t;
  };

  root.get(
    '/',
    pages(async (ctx) => {
      const ts = await listTerritories(s.db);
      if (ts.length === 1) return ctx.redirect(`/t/${ts[0].slug}`);
      const citizen = await currentCitizen(s.db, ctx);
      render(
        ctx,
        { title: 'Accueil', citizen, csrf: csrfToken(ctx) },
        ts.length ? territoryList(ts) : message('Covoiturage solidaire', 'Aucun territoire n’est encore ouvert.'),
      );
    }),
  );

  root.get(
    '/t/:slug',
    pages(async (ctx) => {
      const t = await territoryOf(ctx);
      const citizen = await currentCitizen(s.db, ctx);
      render(ctx, { title: 'Accueil', territory: t, citizen, csrf: csrfToken(ctx) }, home(t, citizen, Boolean(fc)));
    }),
  );

  // ---- "Je propose un trajet"
  root.get(
    '/t/:slug/proposer',
    pages(async (ctx) => {
      const t = await territoryOf(ctx);
      const citizen = await currentCitizen(s.db, ctx);
      const csrf = csrfToken(ctx);
      render(
        ctx,
        { title: 'Je propose un trajet', territory: t, citizen, csrf },
        offerForm(t, await communesOf(s.db, t.id), {}, {}, csrf, citizen),
      );
    }),
  );

  /** What both trip forms start with: territory, the form (CSRF and rate limit checked), who, from and to. */
  const readTripForm = async (ctx: Context) => {
    const t = await territoryOf(ctx);
    const f = await readForm(ctx);
    checkCsrf(ctx, f);
    await hit(s.db, ctx, formLimit);
    const citizen = await currentCitizen(s.db, ctx);
    const cs = await communesOf(s.db, t.id);
    const e: Errors = {};
    const who = citizen?.personId ? null : identity(f, e);
    const from = place(f, e, 'depart', cs);
    const to = place(f, e, 'arrivee', cs);
    if (from && to && from.insee === to.insee)
      e.arrivee = 'Choisissez une commune d’arrivée différente de la commune de départ.';
    return { t, f, citizen, cs, e, who, from, to };
  };

  root.post(
    '/t/:slug/proposer',
    pages(async (ctx) => {
      const { t, f, citizen, cs, e, who, from, to } = await readTripForm(ctx);
      const kind = oneOf(f, e, 'type', ['regular', 'oneoff'] as const, 'Choisissez le type de trajet.');
      const days = kind === 'regular' ? weekdays(f, e, 'jours') : [];
      const date = kind === 'oneoff' ? day(f, e, 'date', 'la date') : null;
      const departure = clock(f, e, 'heure_depart', 'l’heure de départ', true);
      const back = kind === 'regular' ? clock(f, e, 'heure_retour', 'l’heure du retour', false) : null;
      const seats = int(f, e, 'places', 'le nombre de places', 1, 8, 3);
      const direct = checked(f, 'contact_direct');
      consent(f, e);
      const csrf = csrfToken(ctx);
      if (Object.keys(e).length) {
        return render(
          ctx,
          { title: 'Erreur – Je propose un trajet', territory: t, citizen, csrf },
          offerForm(t, cs, f, e, csrf, citizen),
          400,
        );
      }
      // The route is computed before the transaction: a slow router never holds a lock.
      let out, ret;
      try {
        out = await s.router.route([
          [from!.lng, from!.lat],
          [to!.lng, to!.lat],
        ]);
        ret =
          back !== null
            ? await s.router.route([
                [to!.lng, to!.lat],
                [from!.lng, from!.lat],
              ])
            : null;
      } catch (err) {
        if (!(err instanceof RouterError)) throw err;
        e.arrivee = 'Aucun itinéraire routier n’a été trouvé entre ces deux communes.';
        return render(
          ctx,
          { title: 'Erreur – Je propose un trajet', territory: t, citizen, csrf },
          offerForm(t, cs, f, e, csrf, citizen),
          400,
        );
      }
      const approximate = s.router.approximate || Boolean((out as { approximate?: boolean }).approximate);
      const line = (cs2: [number, number][]) =>
        JSON.stringify({ type: 'LineString', coordinates: cs2.length >= 2 ? cs2 : [cs2[0], cs2[0]] });
      const tripId = await s.db.transaction(async (tx) => {
        const pid = await personFor(tx, t, citizen, who, { driver: true, direct });
        await recordConsent(tx, pid, 'data_processing', true, 'formulaire_proposer');
        await recordConsent(tx, pid, 'direct_contact', direct, 'formulaire_proposer');
        const { rows } = await tx.query<{ id: number }>(
          `INSERT INTO trips (territory_id, driver_id, kind, weekdays, date, departure_min, return_min, origin, destination,
           origin_label, destination_label, seats, route, distance_m, duration_s, return_route, return_distance_m,
           return_duration_s, route_approximate)
         VALUES ($1, $2, $3, $4, $5, $6, $7, ${pointSql('$8', '$9')}, ${pointSql('$10', '$11')}, $12, $13, $14,
           ST_SetSRID(ST_GeomFromGeoJSON($15), 4326), $16, $17, ST_SetSRID(ST_GeomFromGeoJSON($18), 4326), $19, $20, $21)
         RETURNING id`,
          [
            t.id,
            pid,
            kind,
            days,
            date,
            departure,
            back,
            from!.lng,
            from!.lat,
            to!.lng,
            to!.lat,
            labelOf(from!),
            labelOf(to!),
            seats,
            line(out.coordinates),
            out.distanceM,
            out.durationS,
            ret ? line(ret.coordinates) : null,
            ret?.distanceM ?? null,
            ret?.durationS ?? null,
            approximate,
          ],
        );
        return rows[0].id;
      });
      // Read-your-writes in this process; other replicas follow through NOTIFY.
      await refreshTrip(s.db, s.index, tripId);
      s.log('public trip offered', { territory: t.slug, kind });
      render(ctx, { title: 'Trajet enregistré', territory: t, citizen, csrf, feedbackInPage: true }, offerResult(t));
    }),
  );

  // ---- "Je cherche un trajet"
  root.get(
    '/t/:slug/chercher',
    pages(async (ctx) => {
      const t = await territoryOf(ctx);
      const citizen = await currentCitizen(s.db, ctx);
      const csrf = csrfToken(ctx);
      // Links from partners (the interoperability API's webUrl) pre-fill the form; only the form's own fields are kept.
      const prefill: Form = {};
      for (const k of ['depart', 'arrivee', 'date', 'sens', 'heure', 'places']) {
        const v = ctx.query[k];
        if (typeof v === 'string' && v.length <= 40) prefill[k] = v;
      }
      render(
        ctx,
        { title: 'Je cherche un trajet', territory: t, citizen, csrf },
        askForm(t, await communesOf(s.db, t.id), prefill, {}, csrf, citizen),
      );
    }),
  );

  root.post(
    '/t/:slug/chercher',
    pages(async (ctx) => {
      const { t, f, citizen, cs, e, who, from, to } = await readTripForm(ctx);
      const date = day(f, e, 'date', 'la date du trajet');
      const timeKind = oneOf(
        f,
        e,
        'sens',
        ['arrive', 'depart'] as const,
        'Indiquez si l’heure est celle du départ ou de l’arrivée.',
      );
      const time = clock(f, e, 'heure', 'l’heure', true);
      const purpose = oneOf(f, e, 'motif', PURPOSES, 'Choisissez le motif du déplacement.');
      const seats = int(f, e, 'places', 'le nombre de personnes', 1, 8, 1);
      consent(f, e);
      const csrf = csrfToken(ctx);
      if (Object.keys(e).length) {
        return render(
          ctx,
          { title: 'Erreur – Je cherche un trajet', territory: t, citizen, csrf },
          askForm(t, cs, f, e, csrf, citizen),
          400,
        );
      }
      const ask = {
        from: { lng: from!.lng, lat: from!.lat },
        to: { lng: to!.lng, lat: to!.lat },
        date: date!,
        time: toClock(time!),
        timeKind: timeKind!,
        seats,
        purpose: purpose!,
      };
      const tolerance = s.rulesOf(t.id).toleranceMin;
      // Matching runs before the transaction: the router may be slow, a lock must not wait on it.
      const answer = await s.matcher.match(toMatchQuery(ask, [t.id], tolerance, citizen?.personId ?? undefined));
      await s.db.transaction(async (tx) => {
        const pid = await personFor(tx, t, citizen, who, { driver: false, direct: false });
        await recordConsent(tx, pid, 'data_processing', true, 'formulaire_chercher');
        const { rows } = await tx.query<{ id: number }>(
          `INSERT INTO requests (territory_id, passenger_id, from_point, to_point, from_label, to_label, date, time_min,
           time_kind, tolerance_min, seats, purpose, created_by)
         VALUES ($1, $2, ${pointSql('$3', '$4')}, ${pointSql('$5', '$6')}, $7, $8, $9, $10, $11, $12, $13, $14, 'public')
         RETURNING id`,
          [
            t.id,
            pid,
            from!.lng,
            from!.lat,
            to!.lng,
            to!.lat,
            labelOf(from!),
            labelOf(to!),
            date,
            time,
            timeKind,
            tolerance,
            seats,
            purpose,
          ],
        );
        await storeProposals(tx, rows[0].id, t.id, date, answer.proposals, answer.approximate);
      });
      // Drivers are shown by first name and times only when they agreed to direct contact.
      const shown = answer.proposals.filter((p) => p.directContact).slice(0, 5);
      const names = shown.length
        ? (
            await s.db.query<{ person_id: number; first_name: string | null }>(
              'SELECT person_id, first_name FROM person_identities WHERE person_id = ANY($1::int[])',
              [shown.map((p) => p.driverId)],
            )
          ).rows
        : [];
      const offers: Offer[] = shown.flatMap((p) => {
        const n = names.find((x) => x.person_id === p.driverId)?.first_name;
        return n ? [{ firstName: n, pickupTime: p.pickup.time, dropoffTime: p.dropoff.time }] : [];
      });
      s.log('public request recorded', { territory: t.slug, proposals: answer.proposals.length });
      render(
        ctx,
        { title: 'Demande enregistrée', territory: t, citizen, csrf, feedbackInPage: true },
        askResult(t, offers, answer.proposals.length - offers.length),
      );
    }),
  );

  /** The person behind a form: the logged-in citizen's record, or a new person (the coordination merges duplicates). */
  async function personFor(
    tx: Queryable,
    t: PublicTerritory,
    citizen: Citizen | null,
    who: Identity | null,
    role: { driver: boolean; direct: boolean },
  ): Promise<number> {
    if (citizen?.personId) {
      await tx.query(
        `UPDATE people SET is_driver = is_driver OR $2, is_passenger = is_passenger OR NOT $2,
           direct_contact_consent = CASE WHEN $2 THEN $3 ELSE direct_contact_consent END,
           direct_contact_consent_at = CASE WHEN $2 AND $3 AND NOT direct_contact_consent THEN now()
                                            WHEN $2 AND NOT $3 THEN NULL ELSE direct_contact_consent_at END,
           updated_at = now() WHERE id = $1`,
        [citizen.personId, role.driver, role.direct],
      );
      return citizen.personId;
    }
    const { rows } = await tx.query<{ id: number }>(
      `INSERT INTO people (territory_id, is_driver, is_passenger, direct_contact_consent, direct_contact_consent_at)
       VALUES ($1, $2, NOT $2, $3, CASE WHEN $3 THEN now() END) RETURNING id`,
      [t.id, role.driver, role.direct],
    );
    await tx.query(
      'INSERT INTO person_identities (person_id, first_name, last_name, phone, email) VALUES ($1, $2, $3, $4, $5)',
      [rows[0].id, who!.firstName, who!.lastName, who!.phone, who!.email],
    );
    return rows[0].id;
  }

  // ---- Citizen account: "Mes trajets", phone, export, erasure
  root.get(
    '/mes-trajets',
    pages(async (ctx) => {
      const citizen = await currentCitizen(s.db, ctx);
      const csrf = csrfToken(ctx);
      if (!citizen?.personId) {
        return render(
          ctx,
          { title: 'Mes trajets', citizen, csrf },
          loginNeeded(Boolean(fc), await listTerritories(s.db)),
        );
      }
      const t = await territoryOfPerson(citizen.personId);
      const trips = (
        await s.db.query<MyTrip>(
          'SELECT id, kind, weekdays, date::text AS date, departure_min, origin_label, destination_label, active FROM trips WHERE driver_id = $1 ORDER BY id',
          [citizen.personId],
        )
      ).rows;
      const requests = (
        await s.db.query<MyRequest>(
          'SELECT id, date::text AS date, time_min, from_label, to_label, status FROM requests WHERE passenger_id = $1 ORDER BY id DESC LIMIT 50',
          [citizen.personId],
        )
      ).rows;
      render(
        ctx,
        { title: 'Mes trajets', territory: t ?? undefined, citizen, csrf },
        myTrips(citizen.firstName, trips, requests, csrf),
      );
    }),
  );

  const territoryOfPerson = async (pid: number) => {
    const { rows } = await s.db.query<{ slug: string }>(
      'SELECT t.slug FROM people p JOIN territories t ON t.id = p.territory_id WHERE p.id = $1',
      [pid],
    );
    return rows[0] ? territoryBySlug(s.db, rows[0].slug) : null;
  };

  const requireCitizen = async (ctx: Context) => {
    const citizen = await currentCitizen(s.db, ctx);
    if (!citizen?.personId) {
      ctx.redirect('/mes-trajets');
      return null;
    }
    return citizen;
  };

  root.get(
    '/mon-compte',
    pages(async (ctx) => {
      const citizen = await requireCitizen(ctx);
      if (!citizen) return;
      const csrf = csrfToken(ctx);
      render(ctx, { title: 'Mon numéro de téléphone', citizen, csrf }, profileForm({}, {}, csrf));
    }),
  );

  root.post(
    '/mon-compte',
    pages(async (ctx) => {
      const f = await readForm(ctx);
      checkCsrf(ctx, f);
      await hit(s.db, ctx, formLimit);
      const citizen = await requireCitizen(ctx);
      if (!citizen) return;
      const e: Errors = {};
      const phone = String(f.telephone ?? '').trim();
      if (!phone) e.telephone = 'Indiquez votre numéro de téléphone.';
      else if (!/^\+?[0-9 .-]{10,20}$/.test(phone))
        e.telephone = 'Le numéro de téléphone doit comporter 10 chiffres, par exemple 06 12 34 56 78.';
      consent(f, e);
      const csrf = csrfToken(ctx);
      if (Object.keys(e).length)
        return render(ctx, { title: 'Erreur – Mon numéro de téléphone', citizen, csrf }, profileForm(f, e, csrf), 400);
      await s.db.transaction(async (tx) => {
        await tx.query('UPDATE person_identities SET phone = $2 WHERE person_id = $1', [citizen.personId, phone]);
        await recordConsent(tx, citizen.personId!, 'data_processing', true, 'franceconnect_compte');
      });
      ctx.redirect('/mes-trajets');
    }),
  );

  root.get(
    '/mes-donnees.json',
    pages(async (ctx) => {
      const citizen = await requireCitizen(ctx);
      if (!citizen) return;
      ctx.set('Content-Disposition', 'attachment; filename="mes-donnees-comobi.json"');
      ctx.set('Cache-Control', 'no-store');
      ctx.body = await exportPerson(s.db, citizen.personId!);
    }),
  );

  root.post(
    '/mes-donnees/effacer',
    pages(async (ctx) => {
      const f = await readForm(ctx);
      checkCsrf(ctx, f);
      await hit(s.db, ctx, formLimit);
      const citizen = await requireCitizen(ctx);
      if (!citizen) return;
      const csrf = csrfToken(ctx);
      if (!checked(f, 'confirmation')) {
        return render(
          ctx,
          { title: 'Mes trajets', citizen, csrf },
          message(
            'Suppression non confirmée',
            'Cochez la case de confirmation pour supprimer vos données.',
            '/mes-trajets',
          ),
          400,
        );
      }
      const pid = citizen.personId!;
      await s.db.transaction((tx) => erasePerson(tx, pid, { actor: `citizen:${citizen.accountId}`, role: 'citizen' }));
      for (const r of (await s.db.query<{ id: number }>('SELECT id FROM trips WHERE driver_id = $1', [pid])).rows)
        await refreshTrip(s.db, s.index, r.id);
      await closeSession(s.db, ctx);
      render(
        ctx,
        { title: 'Données supprimées' },
        message(
          'Vos données ont été supprimées',
          'Votre nom, vos coordonnées et vos lieux ont été effacés. Seuls des chiffres anonymes restent pour les statistiques.',
        ),
      );
    }),
  );

  root.get(
    '/confidentialite',
    pages(async (ctx) => {
      const citizen = await currentCitizen(s.db, ctx);
      const ts = await listTerritories(s.db);
      render(
        ctx,
        {
          title: 'Données personnelles',
          citizen,
          csrf: csrfToken(ctx),
          territory: ts.length === 1 ? ts[0] : undefined,
        },
        privacyPage(c.RETENTION_MONTHS, ts.length === 1 ? ts[0] : undefined),
      );
    }),
  );

  root.get(
    '/stats',
    pages(async (ctx) => {
      const q = await statsQuery(
        s,
        { territory: ctx.query.territoire, from: ctx.query.du, to: ctx.query.au },
        { territory: 'territoire', from: 'du', to: 'au' },
      ).catch((e) => {
        if (e instanceof HttpError && e.status === 400) throw new HttpError(400, 'invalid_input', e.message);
        throw e;
      });
      const [st, shapes, ts] = await Promise.all([
        computeStats(s.db, q),
        communeShapes(s.db, q.territory?.id ?? null),
        listTerritories(s.db),
      ]);
      const query = new URLSearchParams({
        ...(q.territory ? { territory: q.territory.slug } : {}),
        from: q.from.slice(0, 7),
        to: q.to.slice(0, 7),
      }).toString();
      const citizen = await currentCitizen(s.db, ctx);
      render(
        ctx,
        {
          title: 'Statistiques',
          citizen,
          csrf: csrfToken(ctx),
          territory: q.territory ? ts.find((t) => t.id === q.territory!.id) : undefined,
        },
        statsBody(st, shapes, ts, query),
      );
    }),
  );

  // ---- FranceConnect
  root.get(
    '/auth/franceconnect/login',
    pages(async (ctx) => {
      if (!fc) throw new HttpError(404, 'not_found', 'FranceConnect is not configured');
      await hit(s.db, ctx, loginLimit);
      const slug = typeof ctx.query.territoire === 'string' && ctx.query.territoire ? ctx.query.territoire : null;
      const ts = await listTerritories(s.db);
      const t = slug ? ts.find((x) => x.slug === slug) : ts.length === 1 ? ts[0] : undefined;
      if (slug && !t) throw new HttpError(404, 'not_found', 'territory not found');
      const { url, state } = await fc.authorizationUrl(s.db, t?.slug ?? null);
      ctx.cookies.set(STATE_COOKIE, state, {
        httpOnly: true,
        sameSite: 'lax',
        secure: ctx.secure,
        path: '/auth/franceconnect',
        maxAge: 15 * 60_000,
        overwrite: true,
      });
      ctx.redirect(url.href);
    }),
  );

  root.get(
    '/auth/franceconnect/callback',
    pages(async (ctx) => {
      if (!fc) throw new HttpError(404, 'not_found', 'FranceConnect is not configured');
      await hit(s.db, ctx, loginLimit);
      const cookieState = ctx.cookies.get(STATE_COOKIE);
      ctx.cookies.set(STATE_COOKIE, '', { path: '/auth/franceconnect', maxAge: 0, overwrite: true });
      const who = await fc.callback(s.db, ctx.querystring, cookieState);
      const ts = await listTerritories(s.db);
      const account = await s.db.transaction(async (tx) => {
        await tx.query('INSERT INTO citizen_accounts (fc_sub) VALUES ($1) ON CONFLICT (fc_sub) DO NOTHING', [who.sub]);
        const { rows } = await tx.query<{ id: number; person_id: number | null }>(
          'SELECT id, person_id FROM citizen_accounts WHERE fc_sub = $1 FOR UPDATE',
          [who.sub],
        );
        const acc = rows[0];
        let personId = acc.person_id;
        if (personId === null) {
          // First login: the person record is created now; the phone is asked next (FranceConnect has no phone scope).
          const t = ts.find((x) => x.slug === who.territorySlug) ?? (ts.length === 1 ? ts[0] : undefined);
          if (!t) throw new HttpError(400, 'invalid_input', 'territoire: choose a territory before logging in');
          const p = await tx.query<{ id: number }>(
            'INSERT INTO people (territory_id, is_passenger) VALUES ($1, true) RETURNING id',
            [t.id],
          );
          personId = p.rows[0].id;
          await tx.query(
            'INSERT INTO person_identities (person_id, first_name, last_name, email, birthdate) VALUES ($1, $2, $3, $4, $5)',
            [personId, who.givenName, who.familyName, who.email, who.birthdate],
          );
          await tx.query('UPDATE citizen_accounts SET person_id = $2 WHERE id = $1', [acc.id, personId]);
        } else {
          // FranceConnect's identity is authoritative for names and birthdate; an e-mail typed by the person stays.
          await tx.query(
            `UPDATE person_identities SET first_name = COALESCE($2, first_name), last_name = COALESCE($3, last_name),
             birthdate = COALESCE($4, birthdate), email = COALESCE(email, $5) WHERE person_id = $1`,
            [personId, who.givenName, who.familyName, who.birthdate, who.email],
          );
        }
        await tx.query('UPDATE citizen_accounts SET last_login_at = now() WHERE id = $1', [acc.id]);
        const phone = await tx.query<{ phone: string | null }>(
          'SELECT phone FROM person_identities WHERE person_id = $1',
          [personId],
        );
        return { id: acc.id, hasPhone: Boolean(phone.rows[0]?.phone) };
      });
      await openSession(s.db, ctx, account.id, who.idToken, c.SESSION_HOURS);
      s.log('citizen logged in', { via: 'franceconnect' });
      ctx.redirect(account.hasPhone ? '/mes-trajets' : '/mon-compte');
    }),
  );

  root.post(
    '/auth/franceconnect/logout',
    pages(async (ctx) => {
      const f = await readForm(ctx);
      checkCsrf(ctx, f);
      const citizen = await currentCitizen(s.db, ctx);
      await closeSession(s.db, ctx);
      if (fc && citizen?.idToken) {
        const { url, state } = await fc.logoutUrl(s.db, citizen.idToken);
        ctx.cookies.set(STATE_COOKIE, state, {
          httpOnly: true,
          sameSite: 'lax',
          secure: ctx.secure,
          path: '/auth/franceconnect',
          maxAge: 15 * 60_000,
          overwrite: true,
        });
        return ctx.redirect(url.href);
      }
      ctx.redirect('/');
    }),
  );

  root.get(
    '/auth/franceconnect/logout-callback',
    pages(async (ctx) => {
      if (!fc) throw new HttpError(404, 'not_found', 'FranceConnect is not configured');
      const cookieState = ctx.cookies.get(STATE_COOKIE);
      ctx.cookies.set(STATE_COOKIE, '', { path: '/auth/franceconnect', maxAge: 0, overwrite: true });
      await fc.logoutCallback(s.db, typeof ctx.query.state === 'string' ? ctx.query.state : null, cookieState);
      render(
        ctx,
        { title: 'Déconnexion' },
        message('Vous êtes déconnecté', 'Vous êtes déconnecté de CoMobi et de FranceConnect.'),
      );
    }),
  );
}

const labelOf = (p: { name: string; detail: string | null }) => (p.detail ? `${p.detail}, ${p.name}` : p.name);
