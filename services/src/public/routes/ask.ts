import type Router from '@koa/router';
import type { Context } from 'koa';
import { firstNames, personOfForm } from '../../domain/people.ts';
import { recordRequest } from '../../domain/requests.ts';
import { MINUTES_PER_DAY, toClock } from '../../time/clock.ts';
import { matchJourney, type ReturnAsk } from '../../matching/round-trip.ts';
import { withCosts } from '../../matching/combined.ts';
import { PURPOSES, toMatchQuery } from '../../matching/query.ts';
import { clock, consent, day, int, one, oneOf, type Errors, type Form } from '../forms.ts';
import { labelOf, readTripForm, type PublicKit } from '../kit.ts';
import { csrfToken, currentCitizen } from '../session.ts';
import { communesOf } from '../territories.ts';
import { askForm, askResult, RETURN_WAITS, type Offer } from '../views.ts';

/**
 * The way back: "aucun", a time after the outbound's ("heure_retour"), or one of the offered waits ("duree_retour",
 * minutes); a return that would leave after midnight is refused.
 */
function readReturn(f: Form, e: Errors, outboundMin: number | null): ReturnAsk {
  const none = { returnMin: null, returnAfterMin: null };
  // Absent from older links and partners' forms: one way, as before.
  const kind = one(f, 'retour') ? oneOf(f, e, 'retour', ['aucun', 'heure', 'apres'] as const, 'Indiquez si vous avez besoin d’un retour.') : 'aucun';
  if (kind === 'heure') {
    const at = clock(f, e, 'heure_retour', 'l’heure du retour', true);
    if (at === null) return none;
    if (outboundMin !== null && at <= outboundMin) {
      e.heure_retour = 'L’heure du retour doit être après celle de l’aller.';
      return none;
    }
    return { returnMin: at, returnAfterMin: null };
  }
  if (kind === 'apres') {
    const wait = Number(one(f, 'duree_retour'));
    if (!RETURN_WAITS.some((w) => w.value === wait)) {
      e.duree_retour = 'Choisissez le temps passé sur place avant le retour.';
      return none;
    }
    if (outboundMin !== null && outboundMin + wait >= MINUTES_PER_DAY) {
      e.duree_retour = 'Le retour partirait après minuit : choisissez un temps plus court.';
      return none;
    }
    return { returnMin: null, returnAfterMin: wait };
  }
  return none;
}

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
      const back = readReturn(f, e, time);
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
        returnTime: back.returnMin === null ? null : toClock(back.returnMin),
        returnAfterMin: back.returnAfterMin,
      };
      // Matching runs before the transaction: the router may be slow, a lock must not wait on it.
      const journey = await matchJourney(s.matcher, s.router, toMatchQuery(ask, [t.id], ask.toleranceMin, citizen?.personId ?? undefined), back);
      // Both legs with the participation each would cost, stored with the proposals as the console's searches do.
      const [answer, wayBack] = await Promise.all([withCosts(s.db, journey.outbound), journey.return ? withCosts(s.db, journey.return) : null]);
      const scope = { actor: 'public', territoryIds: [t.id] };
      const requestId = await s.db.transaction(async (tx) => {
        const passengerId = await personOfForm(tx, t.id, citizen?.personId ?? null, who, { driver: false, direct: false }, 'formulaire_chercher');
        return recordRequest(tx, scope, t.id, { ...ask, passengerId }, answer, wayBack);
      });
      // Drivers are shown by first name and times only when they agreed to direct contact.
      const shown = answer.proposals.filter((p) => p.directContact).slice(0, DRIVERS_SHOWN);
      const names = await firstNames(s.db, shown.map((p) => p.driverId));
      const offers: Offer[] = shown.flatMap((p) => {
        const n = names.get(p.driverId);
        return n ? [{ firstName: n, pickupTime: p.pickup.time, dropoffTime: p.dropoff.time }] : [];
      });
      s.log('public request recorded', { territory: t.slug, proposals: answer.proposals.length, returnProposals: journey.return?.proposals.length ?? null });
      k.render(
        ctx,
        { title: 'Demande enregistrée', territory: t, citizen, csrf, feedbackInPage: true },
        askResult(
          t,
          { id: requestId, fromLabel: ask.fromLabel, toLabel: ask.toLabel, date: ask.date, time: ask.time, timeKind: ask.timeKind, seats, purpose: ask.purpose, phone: who?.phone ?? null, returnTime: ask.returnTime, returnAfterMin: ask.returnAfterMin },
          offers,
          answer.proposals.length - offers.length,
        ),
      );
    }),
  );
}
