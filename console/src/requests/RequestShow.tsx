import {
  Alert, Box, Button, Card, CardContent, Chip, Dialog, DialogActions, DialogContent, DialogTitle, MenuItem, Stack, Table, TableBody,
  TableCell, TableHead, TableRow, TextField, Typography,
} from '@mui/material';
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { Loading, Title, useNotify, useTranslate } from 'react-admin';
import { useParams, useSearchParams } from 'react-router';
import { CircleMarker, GeoJSON, Tooltip } from 'react-leaflet';
import { api, messageOf } from '../api.ts';
import { BaseMap } from '../map/BaseMap.tsx';
import { approximateNote, type PointSource } from '../places/PlaceSearch.tsx';
import { EndMarkers } from '../map/EndMarkers.tsx';
import { km } from '../fr/format.ts';
import { PhoneLink } from '../fr/PhoneLink.tsx';
import { ProposalKind, Rematch, volunteerAsTrip, type ProposalCosts } from './VolunteerProposal.tsx';
import { asDriverLeg, detourPath, peoplePath, requestPath, reviewReason, shownProposal, tripPath } from './review-data.ts';
import { LegChip, RoundTrip, type RoundTripRequest } from './RoundTrip.tsx';
import { WidenedNote, type WidenedValue } from './WidenedNote.tsx';

// Under the first view (see LaterCards.tsx): fetched once the proposals and the map are drawn.
const LaterCards = lazy(() => import('./LaterCards.tsx').then((m) => ({ default: m.LaterCards })));

type Pt = { lng: number; lat: number };
interface Proposal extends ProposalCosts {
  id: number; tripId: number | null; driverId: number; leg: string; date: string | null; pickup: Pt & { time: string }; dropoff: Pt & { time: string };
  detourM: number; detourS: number; score: number; directContact: boolean; status: string; statusReason: string | null; note: string | null;
  requestLeg?: 'outbound' | 'return'; bothLegs?: boolean;
  widened?: WidenedValue | null;
}
interface Req {
  id: number; territoryId: number; passengerId: number | null; from: Pt; to: Pt; fromLabel: string | null; toLabel: string | null;
  fromSource: PointSource; toSource: PointSource;
  date: string | null; weekdays: number[]; time: string; timeKind: string; toleranceMin: number; seats: number; purpose: string;
  needs: string[]; status: string; unservedReason: string | null; note: string | null; proposals: Proposal[];
  returnTime: string | null; returnAfterMin: number | null; roundTrip: RoundTripRequest['roundTrip'];
}
interface Person { id: number; firstName: string | null; lastName: string | null; phone: string | null; email: string | null; communeName: string | null }
interface Trip { id: number; origin: Pt; destination: Pt; originLabel: string | null; destinationLabel: string | null; departureTime: string; route?: GeoJSON.LineString }

const NEXT: Record<string, string[]> = {
  proposed: ['contacted', 'accepted', 'declined', 'cancelled'],
  contacted: ['accepted', 'declined', 'cancelled'],
  accepted: ['confirmed', 'cancelled'],
  confirmed: ['done', 'cancelled'],
};
const REASONS: Record<string, string[]> = {
  declined: ['driver_unavailable', 'detour_too_long', 'schedule_conflict', 'needs_not_met', 'passenger_declined', 'no_answer', 'other'],
  cancelled: ['passenger_cancelled', 'driver_cancelled', 'no_show', 'weather', 'vehicle_problem', 'other'],
};
const UNSERVED = ['no_driver', 'no_driver_at_time', 'no_seat', 'driver_declined', 'passenger_cancelled', 'transit_used', 'tad_used', 'medical_transport_used', 'out_of_territory', 'other'];

const name = (p?: Person) => (p ? `${p.firstName ?? ''} ${p.lastName ?? ''}`.trim() || `n° ${p.id}` : '…');

/** Match review: ranked drivers, the map of the chosen one's detour, and the actions of the match workflow. */
export function RequestShow() {
  const { id } = useParams();
  const t = useTranslate();
  const notify = useNotify();
  const reason = reviewReason(id!);
  const [req, setReq] = useState<Req | null>(null);
  const [people, setPeople] = useState<Map<number, Person>>(new Map());
  const [selected, setSelected] = useState<number | null>(Number(useSearchParams()[0].get('match')) || null); // ?match=: opened from the work queue
  const [trip, setTrip] = useState<Trip | null>(null);
  const [detour, setDetour] = useState<GeoJSON.LineString | null>(null);
  const [pending, setPending] = useState<{ match: Proposal; to: string } | null>(null);
  const [dialogReason, setDialogReason] = useState('');
  const [note, setNote] = useState('');
  const [unserved, setUnserved] = useState('');
  const [version, setVersion] = useState(0);
  // The first view: the proposals, the map's layers and the shown driver's routes (or their failure) drawn.
  const [routesDone, setRoutesDone] = useState(false);
  const [layersDone, setLayersDone] = useState(false);
  const [later, setLater] = useState(false);

  const load = useCallback(async () => {
    try {
      const r = (await api<Req>(requestPath(id!), { reason })).json;
      // The request and its names shown together (one rendering of the page, not two); boot.ts asked both early.
      const people = peoplePath(r);
      const ps = people ? (await api<Person[]>(people, { reason })).json : [];
      setReq(r);
      setSelected((s) => shownProposal(r.proposals, s)?.id ?? null);
      setPeople(new Map(ps.map((p) => [p.id, p])));
      setVersion((v) => v + 1);
    } catch (e: any) {
      notify(messageOf(e.body, e.status), { type: 'error' });
    }
  }, [id]);
  useEffect(() => { void load(); }, [load]);

  const match = req?.proposals.find((p) => p.id === selected) ?? null;
  useEffect(() => {
    setTrip(null);
    setDetour(null);
    if (!match) return;
    let live = true;
    setRoutesDone(false);
    (async () => {
      const tr = match.kind === 'volunteer' ? await volunteerAsTrip(async (path) => (await api(path, { reason })).json, match) : asDriverLeg((await api<Trip>(tripPath(match.tripId!), { reason })).json, match.leg);
      if (!live) return;
      // The usual route and the detour drawn together: the detour is asked before the trip is drawn.
      const route = await api<{ routes?: { geometry: GeoJSON.LineString }[] }>(detourPath(tr, match)).catch(() => null);
      if (!live) return;
      setTrip(tr);
      setDetour(route?.json.routes?.[0]?.geometry ?? null);
    })().catch(() => undefined).finally(() => live && setRoutesDone(true));
    return () => { live = false; };
  }, [match?.id]);

  const firstView = req !== null && layersDone && (!match || routesDone);
  useEffect(() => {
    if (later || !firstView) return;
    // After the frame that shows the first view; at the latest 3 s after the request came (a map layer or a route
    // that never answers must not keep the history away).
    let timer = 0;
    const frame = requestAnimationFrame(() => { timer = window.setTimeout(() => setLater(true)); });
    return () => { cancelAnimationFrame(frame); clearTimeout(timer); };
  }, [firstView, later]);
  useEffect(() => {
    if (later || !req) return;
    const t = setTimeout(() => setLater(true), 3000);
    return () => clearTimeout(t);
  }, [req !== null, later]);

  const move = async (m: Proposal, to: string, why: string | null) => {
    try {
      await api(`/api/matches/${m.id}`, { method: 'PUT', body: { status: to, reason: why, note: note || undefined } });
      notify(`Mise en relation : ${t(`comobi.matchStatus.${to}`)}`, { type: 'success' });
      setNote('');
      await load();
    } catch (e: any) {
      notify(messageOf(e.body, e.status), { type: 'error' });
    }
  };
  const act = (m: Proposal, to: string) => {
    if (REASONS[to]) {
      setPending({ match: m, to });
      setDialogReason('');
    } else void move(m, to, null);
  };
  const markUnserved = async () => {
    try {
      await api(`/api/requests/${id}`, { method: 'PUT', body: { status: 'unserved', unservedReason: unserved } });
      notify('Demande classée non servie', { type: 'info' });
      await load();
    } catch (e: any) {
      notify(messageOf(e.body, e.status), { type: 'error' });
    }
  };

  // The page in three parts, each made again only when what it shows changed: the page renders again as its answers
  // come (people, trip, detour, layers, later cards), and the proposals table with its buttons is most of its cost.
  const passenger = req?.passengerId ? people.get(req.passengerId) : undefined;
  const driver = match ? people.get(match.driverId) : undefined;
  const mainPart = useMemo(() => req && (
    <Stack spacing={2} sx={{ gridArea: 'main', minWidth: 0 }}>
      <Card>
        <CardContent>
          <Typography variant="h6">
            Demande n° {req.id} · <Chip size="small" label={t(`comobi.requestStatus.${req.status}`)} data-testid="request-status" />
          </Typography>
          <Typography>
            <b>{name(passenger)}</b> {passenger?.phone ? <>· <PhoneLink phone={passenger.phone} /></> : ''} — {req.fromLabel ?? 'départ'}{approximateNote(req.fromSource)} → {req.toLabel ?? 'arrivée'}{approximateNote(req.toSource)}
          </Typography>
          <Typography variant="body2">
            {req.date ? new Date(`${req.date}T12:00:00`).toLocaleDateString('fr-FR', { weekday: 'long', day: 'numeric', month: 'long' }) : req.weekdays.map((d) => t(`comobi.weekdays.${d}`)).join(', ')}
            {' · '}{t(`comobi.timeKind.${req.timeKind}`)} à {req.time} (± {req.toleranceMin} min) · {t(`comobi.purposes.${req.purpose}`)}
            {req.needs.length ? ` · ${req.needs.map((n) => t(`comobi.needs.${n}`)).join(', ')}` : ''}
            {req.unservedReason ? ` · ${t(`comobi.unservedReasons.${req.unservedReason}`)}` : ''}
          </Typography>
          {req.note ? <Typography variant="body2">Note : {req.note}</Typography> : null}
        </CardContent>
      </Card>
      <RoundTrip req={req} people={people} note={note} onChanged={() => { setNote(''); return load(); }} />
      <Card>
        <CardContent>
          <Typography variant="h6">Conducteurs proposés ({req.proposals.length})<Rematch requestId={req.id} onDone={load} /></Typography>
          {req.proposals.length === 0 ? <Alert severity="warning">Aucun conducteur ne convient pour ce trajet.</Alert> : (
            <Box sx={{ overflowX: 'auto' }}>
            <Table size="small" data-testid="proposals">
              <TableHead>
                <TableRow>
                  <TableCell>#</TableCell><TableCell>Conducteur</TableCell><TableCell>Prise en charge → dépose</TableCell>
                  <TableCell>Détour</TableCell><TableCell>Statut</TableCell><TableCell>Actions</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {req.proposals.map((m, i) => {
                  const d = people.get(m.driverId);
                  return (
                    <TableRow key={m.id} hover selected={m.id === selected} onClick={() => setSelected(m.id)} sx={{ cursor: 'pointer' }} data-testid={`proposal-${m.id}`}>
                      <TableCell>{i + 1}</TableCell>
                      <TableCell>
                        {name(d)}<br /><small><PhoneLink phone={d?.phone} /></small>
                        <br /><small>{m.directContact ? 'Accepte l’appel direct' : 'Via la coordination'}</small>
                        <ProposalKind m={m} />
                      </TableCell>
                      <TableCell sx={{ whiteSpace: 'nowrap' }}><LegChip m={m} roundTrip={Boolean(req.roundTrip)} />{req.roundTrip ? <br /> : null}{m.pickup.time} → {m.dropoff.time}<WidenedNote widened={m.widened ?? null} date={m.date} requestDate={req.date} /></TableCell>
                      <TableCell sx={{ whiteSpace: 'nowrap' }}>{Math.round(m.detourS / 60)} min · {km(m.detourM)}</TableCell>
                      <TableCell>{t(`comobi.matchStatus.${m.status}`)}{m.statusReason ? ` (${t(`comobi.${m.status}Reasons.${m.statusReason}`)})` : ''}</TableCell>
                      <TableCell onClick={(e) => e.stopPropagation()}>
                        <Stack direction="row" spacing={0.5} sx={{ flexWrap: 'wrap' }}>
                          {(NEXT[m.status] ?? []).map((to) => (
                            <Button key={to} size="small" variant={to === 'declined' || to === 'cancelled' ? 'text' : 'outlined'} color={to === 'declined' || to === 'cancelled' ? 'error' : 'primary'}
                              onClick={() => act(m, to)} data-testid={`act-${m.id}-${to}`}>
                              {t(`comobi.matchActions.${to}`)}
                            </Button>
                          ))}
                        </Stack>
                      </TableCell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
            </Box>
          )}
          <TextField label="Note jointe à la prochaine action" value={note} onChange={(e) => setNote(e.target.value)} size="small" sx={{ mt: 2, width: '100%' }} />
        </CardContent>
      </Card>
    </Stack>
  ), [req, people, selected, note]);
  const mapPart = useMemo(() => {
    if (!req) return null;
    const fit: [number, number][] = [[req.from.lng, req.from.lat], [req.to.lng, req.to.lat],
      ...(trip ? [[trip.origin.lng, trip.origin.lat], [trip.destination.lng, trip.destination.lat]] as [number, number][] : [])];
    return (
      <Box sx={{ gridArea: 'map', minWidth: 0 }}>
        {match ? (
          <Typography variant="body2" sx={{ mb: 1 }}>
            {name(driver)} : {trip?.originLabel ?? 'origine'} → {trip?.destinationLabel ?? 'destination'} (départ {trip?.departureTime ?? '…'})
          </Typography>
        ) : null}
        <BaseMap territoryId={req.territoryId} fit={fit} height={560} onLayers={() => setLayersDone(true)}>
          {/* The detour wide and light underneath, the usual route thin on top: where they share the road both show. */}
          {detour ? <GeoJSON key={`detour-${match?.id}`} data={detour as any} style={{ color: '#e65100', weight: 8, opacity: 0.5, className: 'detour-route' }} /> : null}
          {trip?.route ? <GeoJSON key={`route-${trip.id}-${match?.id}-${Boolean(detour)}`} data={trip.route as any} style={{ color: '#1565c0', weight: 3, dashArray: '6 6', className: 'usual-route' }} /> : null}
          <EndMarkers from={req.from} to={req.to} fromLabel="Départ du passager" toLabel="Arrivée du passager" permanent={false} />
          {match ? (
            <>
              {/* Pickup and drop-off told apart at a glance: green and red centres (the passenger's colours), orange rings (the driver's detour). */}
              <CircleMarker center={[match.pickup.lat, match.pickup.lng]} radius={7} className="pickup-marker" pathOptions={{ color: '#e65100', weight: 3, fillColor: '#2e7d32', fillOpacity: 1 }}>
                <Tooltip permanent>Prise en charge {match.pickup.time}</Tooltip>
              </CircleMarker>
              <CircleMarker center={[match.dropoff.lat, match.dropoff.lng]} radius={7} className="dropoff-marker" pathOptions={{ color: '#e65100', weight: 3, fillColor: '#b71c1c', fillOpacity: 1 }}>
                <Tooltip permanent>Dépose {match.dropoff.time}</Tooltip>
              </CircleMarker>
            </>
          ) : null}
        </BaseMap>
        <Typography variant="caption">Pointillés bleus : trajet habituel du conducteur · large trait orange : trajet avec le détour · point vert : prise en charge · point rouge : dépose.</Typography>
      </Box>
    );
  }, [req, match, driver, trip, detour]);
  const laterPart = useMemo(() => req && (
    <Stack spacing={2} sx={{ gridArea: 'later', minWidth: 0 }}>
      {later ? (
        <Suspense fallback={null}>
          <LaterCards req={req} version={version} names={(pid) => (pid === null ? '—' : name(people.get(pid)))} onChanged={load} />
        </Suspense>
      ) : null}
      {req.status === 'open' ? (
        <Card>
          <CardContent>
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
              <TextField select size="small" label="Raison" value={unserved} onChange={(e) => setUnserved(e.target.value)} sx={{ minWidth: 320 }}>
                {UNSERVED.map((u) => <MenuItem key={u} value={u}>{t(`comobi.unservedReasons.${u}`)}</MenuItem>)}
              </TextField>
              <Button variant="outlined" color="warning" disabled={!unserved} onClick={markUnserved} sx={{ flexShrink: 0, whiteSpace: "nowrap" }}>Classer non servie</Button>
            </Stack>
          </CardContent>
        </Card>
      ) : null}
    </Stack>
  ), [req, later, version, people, unserved]);

  if (!req) return <Loading />;
  return (
    <Box sx={{ p: 2 }}>
      <Title title={`Demande n° ${req.id}`} />
      {/*
        Side by side only where both fit (the proposals table needs ~900 px): below, the map goes under the proposals,
        then the later cards. They come after the first view and would otherwise push the map down as they arrive.
      */}
      <Box sx={{
        display: 'grid', gap: 2, alignItems: 'start',
        gridTemplateColumns: { xs: 'minmax(0, 1fr)', xl: 'minmax(0, 3fr) minmax(360px, 2fr)' },
        gridTemplateRows: { xl: 'auto 1fr' },
        gridTemplateAreas: { xs: '"main" "map" "later"', xl: '"main map" "later map"' },
      }}>
        {mainPart}
        {mapPart}
        {laterPart}
      </Box>
      <Dialog open={Boolean(pending)} onClose={() => setPending(null)}>
        <DialogTitle>{pending ? t(`comobi.matchActions.${pending.to}`) : ''} : pour quelle raison ?</DialogTitle>
        <DialogContent>
          <TextField select fullWidth label="Raison" value={dialogReason} onChange={(e) => setDialogReason(e.target.value)} sx={{ mt: 1 }}>
            {(pending ? REASONS[pending.to] : []).map((r) => <MenuItem key={r} value={r}>{t(`comobi.${pending!.to}Reasons.${r}`)}</MenuItem>)}
          </TextField>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setPending(null)}>Retour</Button>
          <Button variant="contained" disabled={!dialogReason} onClick={() => { const p = pending!; setPending(null); void move(p.match, p.to, dialogReason); }}>Valider</Button>
        </DialogActions>
      </Dialog>
    </Box>
  );
}

