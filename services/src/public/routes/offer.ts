import type Router from '@koa/router';
import type { Context } from 'koa';
import { personOfForm } from '../../domain/people.ts';
import { reindexTrip, routeTrip, writeTrip, type RoutedTrip } from '../../domain/trips.ts';
import { HttpError } from '../../http/errors.ts';
import { toClock } from '../../time/clock.ts';
import { checked, clock, consent, day, int, oneOf, weekdays, type Errors, type Form } from '../forms.ts';
import { labelOf, readTripForm, type PublicKit } from '../kit.ts';
import { csrfToken, currentCitizen, type Citizen } from '../session.ts';
import { communesOf, type Commune, type PublicTerritory } from '../territories.ts';
import { offerForm, offerResult } from '../views.ts';

/** "Je propose un trajet": a driver offers a regular or one-off trip. */
export function offerRoutes(root: Router, k: PublicKit) {
  const { s } = k;
  const again = (ctx: Context, t: PublicTerritory, cs: Commune[], f: Form, e: Errors, citizen: Citizen | null) => {
    const csrf = csrfToken(ctx);
    k.render(
      ctx,
      { title: 'Erreur – Je propose un trajet', territory: t, citizen, csrf },
      offerForm(t, cs, f, e, csrf, citizen),
      400,
    );
  };

  root.get(
    '/t/:slug/proposer',
    k.pages(async (ctx) => {
      const t = await k.territoryOf(ctx);
      const citizen = await currentCitizen(s.db, ctx);
      const csrf = csrfToken(ctx);
      k.render(
        ctx,
        { title: 'Je propose un trajet', territory: t, citizen, csrf },
        offerForm(t, await communesOf(s.db, t.id), {}, {}, csrf, citizen),
      );
    }),
  );

  root.post(
    '/t/:slug/proposer',
    k.pages(async (ctx) => {
      const { t, f, citizen, cs, e, who, from, to } = await readTripForm(k, ctx);
      const kind = oneOf(f, e, 'type', ['regular', 'oneoff'] as const, 'Choisissez le type de trajet.');
      const days = kind === 'regular' ? weekdays(f, e, 'jours') : [];
      const date = kind === 'oneoff' ? day(f, e, 'date', 'la date') : null;
      const departure = clock(f, e, 'heure_depart', 'l’heure de départ', true);
      const back = kind === 'regular' ? clock(f, e, 'heure_retour', 'l’heure du retour', false) : null;
      const seats = int(f, e, 'places', 'le nombre de places', 1, 8, 3);
      const direct = checked(f, 'contact_direct');
      consent(f, e);
      if (Object.keys(e).length) return again(ctx, t, cs, f, e, citizen);
      const input = {
        // The driver is known once the person is written, in the transaction below.
        driverId: 0,
        kind: kind!,
        weekdays: days,
        date,
        departureTime: toClock(departure!),
        returnTime: back === null ? null : toClock(back),
        origin: { lng: from!.lng, lat: from!.lat },
        destination: { lng: to!.lng, lat: to!.lat },
        originLabel: labelOf(from!),
        destinationLabel: labelOf(to!),
        seats,
        active: true,
      };
      let routed: RoutedTrip;
      try {
        routed = await routeTrip(s.router, input);
      } catch (err) {
        if (!(err instanceof HttpError) || err.status !== 400) throw err;
        e.arrivee = 'Aucun itinéraire routier n’a été trouvé entre ces deux communes.';
        return again(ctx, t, cs, f, e, citizen);
      }
      const scope = { actor: 'public', territoryIds: [t.id] };
      const tripId = await s.db.transaction(async (tx) => {
        const driverId = await personOfForm(tx, t.id, citizen?.personId ?? null, who, { driver: true, direct }, 'formulaire_proposer');
        return writeTrip(tx, scope, t.id, { ...routed, input: { ...input, driverId } });
      });
      await reindexTrip(s, tripId);
      s.log('public trip offered', { territory: t.slug, kind });
      k.render(
        ctx,
        { title: 'Trajet enregistré', territory: t, citizen, csrf: csrfToken(ctx), feedbackInPage: true },
        offerResult(t, {
          id: tripId,
          fromLabel: input.originLabel,
          toLabel: input.destinationLabel,
          kind: input.kind,
          weekdays: days,
          date,
          departureTime: input.departureTime,
          returnTime: input.returnTime,
          seats,
          directContact: direct,
        }),
      );
    }),
  );
}
