import type Router from '@koa/router';
import type { Context } from 'koa';
import { firstNames, personOfForm } from '../../domain/people.ts';
import { recordRequest } from '../../domain/requests.ts';
import { toClock } from '../../time/clock.ts';
import { PURPOSES, toMatchQuery } from '../../matching/query.ts';
import { clock, consent, day, int, oneOf, type Form } from '../forms.ts';
import { labelOf, readTripForm, type PublicKit } from '../kit.ts';
import { csrfToken, currentCitizen } from '../session.ts';
import { communesOf } from '../territories.ts';
import { askForm, askResult, type Offer } from '../views.ts';
import { matchAll, volunteerQueryOf } from '../../matching/combined.ts';

/** How many drivers the public answer names at most (by first name, when they agreed to direct contact). */
const DRIVERS_SHOWN = 5;

/** "Je cherche un trajet": a passenger's request, matched at once; the coordination calls back. */
export function askRoutes(root: Router, k: PublicKit) {
  const { s } = k;

  root.get(
    '/t/:slug/chercher',
    k.pages(async (ctx: Context) => {
      const t = await k.territoryOf(ctx);
      const citizen = await currentCitizen(s.db, ctx);
      const csrf = csrfToken(ctx);
      // Links from partners (the interoperability API's webUrl) pre-fill the form; only the form's own fields are kept.
      const prefill: Form = {};
      for (const key of ['depart', 'arrivee', 'date', 'sens', 'heure', 'places']) {
        const v = ctx.query[key];
        if (typeof v === 'string' && v.length <= 40) prefill[key] = v;
      }
      k.render(
        ctx,
        { title: 'Je cherche un trajet', territory: t, citizen, csrf },
        askForm(t, await communesOf(s.db, t.id), prefill, {}, csrf, citizen),
      );
    }),
  );

  root.post(
    '/t/:slug/chercher',
    k.pages(async (ctx) => {
      const { t, f, citizen, cs, e, who, from, to } = await readTripForm(k, ctx);
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
        return k.render(
          ctx,
          { title: 'Erreur – Je cherche un trajet', territory: t, citizen, csrf },
          askForm(t, cs, f, e, csrf, citizen),
          400,
        );
      }
      const ask = {
        from: { lng: from!.lng, lat: from!.lat },
        to: { lng: to!.lng, lat: to!.lat },
        fromLabel: labelOf(from!),
        toLabel: labelOf(to!),
        date: date!,
        time: toClock(time!),
        timeKind: timeKind!,
        toleranceMin: s.rulesOf(t.id).toleranceMin,
        seats,
        purpose: purpose!,
      };
      // Matching runs before the transaction: the router may be slow, a lock must not wait on it.
      // Commuters and volunteers: the coordination arranges a volunteer's trip, so only commuters are shown below.
      const answer = await matchAll(s, volunteerQueryOf(toMatchQuery(ask, [t.id], ask.toleranceMin, citizen?.personId ?? undefined), ask));
      const scope = { actor: 'public', territoryIds: [t.id] };
      const requestId = await s.db.transaction(async (tx) => {
        const passengerId = await personOfForm(tx, t.id, citizen?.personId ?? null, who, { driver: false, direct: false }, 'formulaire_chercher');
        return recordRequest(tx, scope, t.id, { ...ask, passengerId }, answer);
      });
      // Drivers are shown by first name and times only when they agreed to direct contact.
      const shown = answer.proposals.filter((p) => p.kind === 'carpool' && p.directContact).slice(0, DRIVERS_SHOWN);
      const names = await firstNames(s.db, shown.map((p) => p.driverId));
      const offers: Offer[] = shown.flatMap((p) => {
        const n = names.get(p.driverId);
        return n ? [{ firstName: n, pickupTime: p.pickup.time, dropoffTime: p.dropoff.time }] : [];
      });
      s.log('public request recorded', { territory: t.slug, proposals: answer.proposals.length });
      k.render(
        ctx,
        { title: 'Demande enregistrée', territory: t, citizen, csrf, feedbackInPage: true },
        askResult(
          t,
          { id: requestId, fromLabel: ask.fromLabel, toLabel: ask.toLabel, date: ask.date, time: ask.time, timeKind: ask.timeKind, seats, purpose: ask.purpose, phone: who?.phone ?? null },
          offers,
          answer.proposals.length - offers.length,
        ),
      );
    }),
  );
}
