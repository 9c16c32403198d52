import type Router from '@koa/router';
import type { Context } from 'koa';
import { personOfForm } from '../../domain/people.ts';
import { writeVolunteer } from '../../domain/volunteers.ts';
import { PURPOSES } from '../../matching/query.ts';
import { hit } from '../../security/rate-limit.ts';
import { readForm } from '../../security/body.ts';
import { consent, identity, int, many, place, weekdays, checked, type Errors, type Form } from '../forms.ts';
import { labelOf, type PublicKit } from '../kit.ts';
import { checkCsrf, csrfToken, currentCitizen, type Citizen } from '../session.ts';
import { communesOf, type Commune, type PublicTerritory } from '../territories.ts';
import { DAY_PARTS, volunteerForm, volunteerResult } from '../volunteer-views.ts';

/**
 * "Je deviens conducteur bénévole", reached from "Je propose un trajet": a person offers to drive on purpose. The
 * volunteer is recorded inactive: the coordination calls them, checks the car and the hours, then activates them
 * (matching proposes only active volunteers).
 */
export function volunteerRoutes(root: Router, k: PublicKit) {
  const { s } = k;
  const again = (ctx: Context, t: PublicTerritory, cs: Commune[], f: Form, e: Errors, citizen: Citizen | null) => {
    const csrf = csrfToken(ctx);
    k.render(ctx, { title: 'Erreur – Je deviens conducteur bénévole', territory: t, citizen, csrf }, volunteerForm(t, cs, f, e, csrf, citizen), 400);
  };

  root.get(
    '/t/:slug/benevole',
    k.pages(async (ctx) => {
      const t = await k.territoryOf(ctx);
      const citizen = await currentCitizen(s.db, ctx);
      const csrf = csrfToken(ctx);
      k.render(ctx, { title: 'Je deviens conducteur bénévole', territory: t, citizen, csrf }, volunteerForm(t, await communesOf(s.db, t.id), {}, {}, csrf, citizen));
    }),
  );

  root.post(
    '/t/:slug/benevole',
    k.pages(async (ctx) => {
      const t = await k.territoryOf(ctx);
      const f = await readForm(ctx);
      checkCsrf(ctx, f);
      await hit(s.db, ctx, k.formLimit);
      const citizen = await currentCitizen(s.db, ctx);
      const cs = await communesOf(s.db, t.id);
      const e: Errors = {};
      const who = citizen?.personId ? null : identity(f, e);
      const home = place(f, e, 'depart', cs);
      const days = weekdays(f, e, 'jours');
      const parts = many(f, 'moments').filter((m) => DAY_PARTS.some((p) => p.value === m));
      if (!parts.length) e.moments = 'Choisissez au moins un moment de la journée.';
      const distanceKm = int(f, e, 'distance', 'la distance maximale', 5, 150, 30);
      const seats = int(f, e, 'places', 'le nombre de places', 1, 8, 3);
      const wheelchair = checked(f, 'fauteuil');
      const purposes = PURPOSES.filter((p) => many(f, 'motifs').includes(p));
      if (!purposes.length) e.motifs = 'Choisissez au moins un type de déplacement.';
      consent(f, e);
      if (Object.keys(e).length) return again(ctx, t, cs, f, e, citizen);
      const slots = days.flatMap((weekday) => DAY_PARTS.filter((p) => parts.includes(p.value)).map((p) => ({ weekday, start: p.start, end: p.end })));
      const scope = { actor: 'public', territoryIds: [t.id] };
      const personId = await s.db.transaction(async (tx) => {
        const id = await personOfForm(tx, t.id, citizen?.personId ?? null, who, { driver: true, direct: false }, 'formulaire_benevole');
        // Someone already driving for the coordination stays as active as they were.
        const known = await tx.query<{ active: boolean }>('SELECT active FROM volunteers WHERE person_id = $1', [id]);
        await writeVolunteer(tx, scope, {
          personId: id, home: { lng: home!.lng, lat: home!.lat }, homeLabel: labelOf(home!), maxKm: distanceKm, maxMinutes: null, seats,
          wheelchair, purposes, active: known.rows[0]?.active ?? false, slots, exceptions: [],
        }, known.rows.length === 0);
        return id;
      });
      s.log('public volunteer offered', { territory: t.slug });
      k.render(
        ctx,
        { title: 'Inscription enregistrée', territory: t, citizen, csrf: csrfToken(ctx), feedbackInPage: true },
        volunteerResult(t, { id: personId, home: labelOf(home!), days, parts, distanceKm, seats, wheelchair, purposes }),
      );
    }),
  );
}
