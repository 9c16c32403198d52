import type Router from '@koa/router';
import type { Context } from 'koa';
import { setCitizenPhone, territoryIdOfPerson } from '../../domain/people.ts';
import { requestsOfPassenger } from '../../domain/requests.ts';
import { reindexTrip, tripsOfDriver } from '../../domain/trips.ts';
import { erasePerson } from '../../privacy/erase.ts';
import { exportPerson } from '../../privacy/export.ts';
import { hit } from '../../security/rate-limit.ts';
import { readForm } from '../../security/body.ts';
import { loginNeeded, myTrips, profileForm } from '../account-views.ts';
import { checked, consent, type Errors } from '../forms.ts';
import type { PublicKit } from '../kit.ts';
import { checkCsrf, closeSession, csrfToken, currentCitizen } from '../session.ts';
import { listTerritories } from '../territories.ts';
import { message } from '../views.ts';

/** The citizen's own pages: "Mes trajets", the phone number, the export and the erasure of their data. */
export function accountRoutes(root: Router, k: PublicKit) {
  const { s } = k;

  const territoryOfPerson = async (pid: number) => {
    const id = await territoryIdOfPerson(s.db, pid);
    return id === null ? undefined : (await listTerritories(s.db)).find((t) => t.id === id);
  };

  const requireCitizen = async (ctx: Context) => {
    const citizen = await currentCitizen(s.db, ctx);
    if (!citizen?.personId) {
      ctx.redirect('/mes-trajets');
      return null;
    }
    return citizen;
  };

  /** A citizen's form: CSRF and rate limit checked, then the logged-in citizen (or a redirect to log in). */
  const citizenForm = async (ctx: Context) => {
    const f = await readForm(ctx);
    checkCsrf(ctx, f);
    await hit(s.db, ctx, k.formLimit);
    const citizen = await requireCitizen(ctx);
    return citizen ? { f, citizen } : null;
  };

  root.get(
    '/mes-trajets',
    k.pages(async (ctx) => {
      const citizen = await currentCitizen(s.db, ctx);
      const csrf = csrfToken(ctx);
      if (!citizen?.personId) {
        const ts = await listTerritories(s.db);
        // With one territory, its header (phone, menu) helps more than the bare one.
        const territory = ts.length === 1 ? ts[0] : undefined;
        return k.render(ctx, { title: 'Mes trajets', territory, citizen, csrf }, loginNeeded(Boolean(k.fc), ts));
      }
      const [t, trips, requests] = await Promise.all([
        territoryOfPerson(citizen.personId),
        tripsOfDriver(s.db, citizen.personId),
        requestsOfPassenger(s.db, citizen.personId),
      ]);
      k.render(ctx, { title: 'Mes trajets', territory: t, citizen, csrf }, myTrips(citizen.firstName, trips, requests, csrf));
    }),
  );

  root.get(
    '/mon-compte',
    k.pages(async (ctx) => {
      const citizen = await requireCitizen(ctx);
      if (!citizen) return;
      const csrf = csrfToken(ctx);
      k.render(ctx, { title: 'Mon numéro de téléphone', citizen, csrf }, profileForm({}, {}, csrf));
    }),
  );

  root.post(
    '/mon-compte',
    k.pages(async (ctx) => {
      const posted = await citizenForm(ctx);
      if (!posted) return;
      const { f, citizen } = posted;
      const e: Errors = {};
      const phone = String(f.telephone ?? '').trim();
      if (!phone) e.telephone = 'Indiquez votre numéro de téléphone.';
      else if (!/^\+?[0-9 .-]{10,20}$/.test(phone))
        e.telephone = 'Le numéro de téléphone doit comporter 10 chiffres, par exemple 06 12 34 56 78.';
      consent(f, e);
      const csrf = csrfToken(ctx);
      if (Object.keys(e).length)
        return k.render(ctx, { title: 'Erreur – Mon numéro de téléphone', citizen, csrf }, profileForm(f, e, csrf), 400);
      await s.db.transaction((tx) => setCitizenPhone(tx, citizen.personId!, phone));
      ctx.redirect('/mes-trajets');
    }),
  );

  root.get(
    '/mes-donnees.json',
    k.pages(async (ctx) => {
      const citizen = await requireCitizen(ctx);
      if (!citizen) return;
      ctx.set('Content-Disposition', 'attachment; filename="mes-donnees-comobi.json"');
      ctx.set('Cache-Control', 'no-store');
      ctx.body = await exportPerson(s.db, citizen.personId!);
    }),
  );

  root.post(
    '/mes-donnees/effacer',
    k.pages(async (ctx) => {
      const posted = await citizenForm(ctx);
      if (!posted) return;
      const { f, citizen } = posted;
      const csrf = csrfToken(ctx);
      if (!checked(f, 'confirmation')) {
        return k.render(
          ctx,
          { title: 'Mes trajets', citizen, csrf },
          message('Suppression non confirmée', 'Cochez la case de confirmation pour supprimer vos données.', '/mes-trajets'),
          400,
        );
      }
      const pid = citizen.personId!;
      await s.db.transaction((tx) => erasePerson(tx, pid, { actor: `citizen:${citizen.accountId}`, role: 'citizen' }));
      for (const trip of await tripsOfDriver(s.db, pid)) await reindexTrip(s, trip.id);
      await closeSession(s.db, ctx);
      k.render(
        ctx,
        { title: 'Données supprimées' },
        message(
          'Vos données ont été supprimées',
          'Votre nom, vos coordonnées et vos lieux ont été effacés. Seuls des chiffres anonymes restent pour les statistiques.',
        ),
      );
    }),
  );
}
