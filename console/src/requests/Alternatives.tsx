import { Box, Stack, Typography } from '@mui/material';
import { Fragment, type ReactNode } from 'react';
import { PhoneLink } from '../fr/PhoneLink.tsx';

import type {
  Alternatives as Found,
  BookingRule,
  TransitJourney,
  TransitLeg,
} from '@comobi/services/transit/types';

/** POST /api/match's `alternatives`: what the transit module finds, the date searched, and carpool then transit. */
export interface AlternativesValue extends Partial<Found> {
  date?: string;
  carpoolToTransit?: {
    hub: { name: string | null };
    carpool: { dropoff: { time: string } };
    transit: TransitJourney;
    connectionMin: number;
  }[];
}

/** Minutes after the requested day's midnight as a clock time; the evening before or the next day said so. */
export function clockOf(min: number): string {
  const day = Math.floor(min / 1440);
  const m = min - day * 1440;
  const hhmm = `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return day < 0 ? `${hhmm} (la veille)` : day > 0 ? `${hhmm} (le lendemain)` : hhmm;
}

/** GTFS route_type (basic and extended) in words. */
export function modeOf(type: number): string {
  if (type === 0 || (type >= 900 && type < 1000)) return 'Tram';
  if (type === 1 || (type >= 400 && type < 500)) return 'Métro';
  if (type === 2 || (type >= 100 && type < 200)) return 'Train';
  if (type === 4 || (type >= 1000 && type < 1100)) return 'Bateau';
  if (type >= 200 && type < 300) return 'Car';
  if (type === 11 || type === 800) return 'Trolleybus';
  if (type === 5 || type === 6 || type === 7 || type === 12) return 'Transport par câble';
  if (type === 715) return 'Transport à la demande';
  return 'Bus';
}

const routeName = (l: TransitLeg) => [l.route.shortName, l.route.longName].filter(Boolean).join(' – ') || l.feedName;

/** Parts of a line joined by " · ", the empty ones left out (phone numbers are links, hence nodes). */
const dotted = (parts: ReactNode[]) => parts.filter(Boolean).map((p, i) => <Fragment key={i}>{i ? ' · ' : ''}{p}</Fragment>);
const tel = (phone: string | null | undefined) => (phone ? <>tél. <PhoneLink phone={phone} /></> : null);

function legText(l: TransitLeg, date: string | undefined): ReactNode {
  const eve = date && l.serviceDate < date ? ' (service de la veille)' : '';
  // SNCF's feeds put the train's number in trip_headsign: a number is no direction.
  const to = !l.headsign ? '' : /^\d+$/.test(l.headsign) ? ` n° ${l.headsign}` : ` direction ${l.headsign}`;
  const agency = l.agency ? <> ({l.agency.name}{l.agency.phone ? <>, <PhoneLink phone={l.agency.phone} /></> : null})</> : null;
  return <>{`${modeOf(l.route.type)} ${routeName(l)}${to}`}{agency}{` : ${l.from.name ?? '?'} ${l.departure} → ${l.to.name ?? '?'} ${l.arrival}${eve}`}</>;
}

function bookingText(b: BookingRule): ReactNode {
  const when =
    b.bookingType === 0
      ? 'réservation en temps réel'
      : b.bookingType === 1
        ? `réservation le jour même${b.priorNoticeMinMin ? `, au moins ${b.priorNoticeMinMin} min avant` : ''}`
        : `réservation ${b.priorNoticeLastDay ? `jusqu'à ${b.priorNoticeLastDay} jour${b.priorNoticeLastDay > 1 ? 's' : ''} avant` : 'à l’avance'}${b.priorNoticeLastTime ? `, avant ${b.priorNoticeLastTime}` : ''}`;
  return dotted([when, tel(b.phone), b.bookingUrl, b.message]);
}

function Journey({ j, date }: { j: TransitJourney; date?: string }) {
  return (
    <Box sx={{ mb: 1 }} data-testid="transit-journey">
      <Typography variant="body2" sx={{ fontWeight: 500 }}>
        {j.kind === 'direct' ? 'Direct' : 'Avec une correspondance'} : départ {clockOf(j.leaveMin)}, arrivée{' '}
        {clockOf(j.arriveMin)} ({j.durationMin} min)
      </Typography>
      {j.legs.map((l, i) => (
        <Typography key={i} variant="body2">
          • {legText(l, date)}
        </Typography>
      ))}
      <Typography variant="body2" color="text.secondary">
        Marche : {j.walkToStopM} m jusqu’à l’arrêt, {j.walkFromStopM} m à l’arrivée
        {j.transferWaitMin !== null ? ` · correspondance ${j.transferWaitMin} min` : ''}
      </Typography>
    </Box>
  );
}

function Group({ title, testId, children }: { title: string; testId: string; children: React.ReactNode }) {
  return (
    <Box data-testid={testId}>
      <Typography variant="subtitle2">{title}</Typography>
      {children}
    </Box>
  );
}

/** What the coordinator can offer when no driver fits: transit, on-demand transport, seated-patient transport. */
export function Alternatives({ value }: { value: AlternativesValue | null }) {
  if (!value) return <Typography variant="body2">Recherche des autres solutions…</Typography>;
  const { transit = [], onDemand = [], seatedPatient = [], carpoolToTransit = [], date } = value;
  if (!transit.length && !onDemand.length && !seatedPatient.length && !carpoolToTransit.length)
    return <Typography variant="body2">Aucune autre solution connue pour ce trajet.</Typography>;
  return (
    <Stack spacing={1.5}>
      {transit.length ? (
        <Group title="Transport en commun" testId="alt-transit">
          {transit.map((j, i) => (
            <Journey key={i} j={j} date={date} />
          ))}
        </Group>
      ) : null}
      {onDemand.length ? (
        <Group title="Transport à la demande" testId="alt-on-demand">
          {onDemand.map((o, i) => (
            <Typography key={i} variant="body2">
              •{' '}
              {dotted([
                o.name,
                o.agency,
                tel(o.phone),
                o.windowStartMin !== null && o.windowEndMin !== null
                  ? `entre ${clockOf(o.windowStartMin)} et ${clockOf(o.windowEndMin)}`
                  : null,
                o.pickup ? `prise en charge : ${o.pickup.name ?? o.pickup.placeId}` : null,
                o.dropOff ? `dépose : ${o.dropOff.name ?? o.dropOff.placeId}` : null,
                o.booking ? bookingText(o.booking) : null,
                o.notes,
              ])}
            </Typography>
          ))}
        </Group>
      ) : null}
      {seatedPatient.length ? (
        <Group title="Transport assis professionnalisé" testId="alt-seated-patient">
          {seatedPatient.map((p, i) => (
            <Typography key={i} variant="body2">
              •{' '}
              {dotted([p.name, p.kind === 'taxi' ? 'taxi conventionné' : 'VSL', tel(p.phone), p.notes])}
            </Typography>
          ))}
        </Group>
      ) : null}
      {carpoolToTransit.length ? (
        <Group title="Covoiturage puis transport en commun" testId="alt-carpool-transit">
          {carpoolToTransit.map((c, i) => (
            <Box key={i}>
              <Typography variant="body2">
                • Un conducteur dépose à {c.hub.name ?? 'l’arrêt'} à {c.carpool.dropoff.time} ({c.connectionMin} min
                avant le départ), puis :
              </Typography>
              <Journey j={c.transit} date={date} />
            </Box>
          ))}
        </Group>
      ) : null}
    </Stack>
  );
}
