import {
  Alert, Box, Button, Card, CardContent, Chip, MenuItem, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography,
} from '@mui/material';
import { useEffect, useMemo, useState } from 'react';
import { Title } from 'react-admin';
import { api } from '../api.ts';
import { currentUser } from '../authProvider.ts';
import { FrDatePicker } from '../fr/pickers.tsx';
import { decimal } from '../fr/format.ts';

type Leg = 'outbound' | 'return';
/** A commuter's trip leg (tripId) or a volunteer (volunteerId, their outing home → home: leaveHome, backHome). */
interface Assignment {
  requestId: number; requestLeg: Leg; kind: 'carpool' | 'volunteer'; tripId: number | null; volunteerId: number | null; leg: Leg; date: string;
  detourS: number; leaveHome?: string | null; backHome?: string | null; fixed: boolean; matchId: number | null; confirmedAt: string | null;
}
interface Side { tripId: number | null; volunteerId?: number | null; leg: Leg | null }
interface Change { requestId: number; requestLeg: Leg; change: 'changed' | 'added' | 'dropped'; before: Side | null; after: Side | null }
export interface Plan {
  id: number; territoryId: number; from: string; to: string; source: 'milp' | 'greedy'; solverStatus: string;
  openRequests: number; served: number; greedyServed: number; servedBound: number | null; gapPct: number | null; solveMs: number;
  assignments: Assignment[]; changes: Change[]; unserved: number[];
}
interface TripLabel { id: number; originLabel: string | null; destinationLabel: string | null; departureTime: string; returnTime: string | null }
interface VolunteerLabel { id: number; firstName?: string | null; lastName?: string | null; homeLabel?: string | null }
interface ConfirmAnswer { confirmed: { requestId: number; matchId: number }[]; stale: { requestId: number; reason: string }[] }

const iso = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (isoDate: string, n: number) => iso(new Date(Date.parse(`${isoDate}T12:00:00Z`) + n * 86_400_000));
export const frDate = (isoDate: string) => isoDate.split('-').reverse().join('/');
const minutes = (s: number) => `${Math.round(s / 60)}\u00a0min`;

/** "le trajet Castelfranc → Gourdon (départ 07:30)"; its way back: "le retour Gourdon → Castelfranc (départ 18:50)". */
function tripText(t: TripLabel | undefined, tripId: number, leg: Leg) {
  if (!t) return `le trajet n° ${tripId}${leg === 'return' ? ' (retour)' : ''}`;
  return leg === 'return'
    ? `le retour ${t.destinationLabel ?? '?'} → ${t.originLabel ?? '?'} (départ ${t.returnTime ?? '?'})`
    : `le trajet ${t.originLabel ?? '?'} → ${t.destinationLabel ?? '?'} (départ ${t.departureTime})`;
}
/** "le bénévole Odette Lafargue" (the role's word, as the chip « Bénévole » says it; "du bénévole" after "au lieu"). */
function volunteerText(v: VolunteerLabel | undefined, id: number) {
  const name = v ? [v.firstName, v.lastName].filter(Boolean).join(' ') : '';
  return `le bénévole ${name || `n° ${id}`}`;
}
function sideText(s: Side, trips: Map<number, TripLabel>, volunteers: Map<number, VolunteerLabel>) {
  if (s.volunteerId != null) return volunteerText(volunteers.get(s.volunteerId), s.volunteerId);
  return tripText(trips.get(s.tripId!), s.tripId!, s.leg ?? 'outbound');
}
const sameSide = (a: Side | null, b: Assignment) =>
  !!a && (a.volunteerId != null ? a.volunteerId === b.volunteerId : b.tripId === a.tripId && b.leg === a.leg);

/** "de" before "le trajet", "le retour", "le bénévole": "du trajet", "du retour", "du bénévole". */
const ofTrip = (text: string) => text.replace(/^le /, 'du ');

/**
 * Why the plan differs from today's proposals, in French: for each change, which trip, and who takes the trip a
 * request loses (the reason a driver is reassigned is nearly always that another request has only that driver).
 */
export function explain(plan: Plan, trips: Map<number, TripLabel>, volunteers = new Map<number, VolunteerLabel>()) {
  const taker = (side: Side, date: string, self: number) =>
    plan.assignments.find((a) => sameSide(side, a) && a.date === date && a.requestId !== self);
  return plan.changes.map((c) => {
    const date = plan.assignments.find((a) => a.requestId === c.requestId)?.date ?? '';
    const before = c.before ? sideText(c.before, trips, volunteers) : '';
    const after = c.after ? sideText(c.after, trips, volunteers) : '';
    const other = c.before ? taker(c.before, date, c.requestId) : undefined;
    if (c.change === 'added')
      return { ...c, label: 'Nouvelle demande servie', text: `Aucune proposition à appeler aujourd’hui ; le plan lui donne ${after}.` };
    if (c.change === 'changed')
      return {
        ...c,
        label: 'Conducteur réassigné',
        text: `Au lieu ${ofTrip(before)}, le plan lui donne ${after}${other ? ` : la place du premier sert à la demande n° ${other.requestId}, qui n’a pas d’autre conducteur` : ''}.`,
      };
    return {
      ...c,
      label: 'N’est plus servie par le plan',
      text: `Sa meilleure proposition, ${before}, ${other ? `sert à la demande n° ${other.requestId}` : 'est prise par une autre demande'} ; servir les deux n’est pas possible.`,
    };
  });
}

/** Batch assignment of a horizon: compute a plan, see what it changes against today's proposals, confirm it. */
export function PlanPage() {
  const me = currentUser();
  const [territories, setTerritories] = useState<{ id: number; name: string }[]>(me?.territories ?? []);
  const [territoryId, setTerritoryId] = useState<number | ''>(me?.territories[0]?.id ?? '');
  const today = iso(new Date());
  const [from, setFrom] = useState(today);
  const [to, setTo] = useState(addDays(today, 7));
  const [plan, setPlan] = useState<Plan | null>(null);
  const [trips, setTrips] = useState(new Map<number, TripLabel>());
  const [volunteers, setVolunteers] = useState(new Map<number, VolunteerLabel>());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<ConfirmAnswer | null>(null);

  useEffect(() => {
    // Admins may plan any territory: the list comes from the API.
    if (me?.role === 'admin')
      api<{ id: number; name: string }[]>('/api/territories?range=[0,199]').then((r) => {
        setTerritories(r.json);
        if (territoryId === '' && r.json[0]) setTerritoryId(r.json[0].id);
      });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const loadTrips = async (p: Plan) => {
    const ids = [...new Set(p.changes.flatMap((c) => [c.before?.tripId, c.after?.tripId]).concat(p.assignments.map((a) => a.tripId)))]
      .filter((x): x is number => typeof x === 'number').slice(0, 200);
    const got = new Map<number, TripLabel>();
    if (ids.length) {
      const r = await api<TripLabel[]>(`/api/trips?filter=${encodeURIComponent(JSON.stringify({ id: ids }))}&range=[0,199]`);
      for (const t of r.json) got.set(t.id, t);
    }
    setTrips(got);
    // Volunteers' names: personal data, read (and audited) for this plan.
    const vids = [...new Set(p.changes.flatMap((c) => [c.before?.volunteerId, c.after?.volunteerId]).concat(p.assignments.map((a) => a.volunteerId)))]
      .filter((x): x is number => typeof x === 'number').slice(0, 200);
    const vs = new Map<number, VolunteerLabel>();
    if (vids.length) {
      const r = await api<VolunteerLabel[]>(`/api/volunteers?filter=${encodeURIComponent(JSON.stringify({ id: vids }))}&range=[0,199]`, { reason: `plan:${p.id}` });
      for (const v of r.json) vs.set(v.id, v);
    }
    setVolunteers(vs);
  };

  const compute = async () => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const r = await api<Plan>('/api/plans', { method: 'POST', body: { territoryId, from, to } });
      await loadTrips(r.json);
      setPlan(r.json);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const reload = async (id: number) => setPlan((await api<Plan>(`/api/plans/${id}`)).json);
  const confirm = async (requestIds?: number[]) => {
    if (!plan) return;
    setBusy(true);
    setError(null);
    try {
      const r = await api<ConfirmAnswer>(`/api/plans/${plan.id}/confirm`, { method: 'POST', body: requestIds ? { requestIds } : {} });
      setDone(r.json);
      await reload(plan.id);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const explained = useMemo(() => (plan ? explain(plan, trips, volunteers) : []), [plan, trips, volunteers]);
  const toConfirm = plan?.assignments.filter((a) => !a.fixed && a.matchId === null) ?? [];
  const badHorizon = !from || !to || to < from;

  return (
    <Stack spacing={2} sx={{ p: 2, maxWidth: 1200 }}>
      <Title title="Plan de la semaine" />
      <Typography variant="h5">Plan d’affectation</Typography>
      <Typography variant="body2">
        Toutes les demandes ouvertes de la période sont affectées ensemble aux conducteurs, pour en servir le plus possible : un conducteur
        qui convient à plusieurs demandes va à celle qui n’a que lui. Les mises en relation acceptées ne bougent pas.
      </Typography>
      <Stack direction="row" spacing={2} useFlexGap sx={{ flexWrap: 'wrap', alignItems: 'flex-start' }}>
        <TextField select label="Territoire" value={territoryId} onChange={(e) => setTerritoryId(Number(e.target.value))} sx={{ width: 300 }}
          slotProps={{ htmlInput: { 'data-testid': 'plan-territory' } }}>
          {territories.map((t) => <MenuItem key={t.id} value={t.id}>{t.name}</MenuItem>)}
        </TextField>
        <FrDatePicker label="Du" value={from} onChange={setFrom} testId="plan-from" />
        <FrDatePicker label="Au" value={to} onChange={setTo} testId="plan-to" error={to && from && to < from ? 'Avant la date de début' : undefined} />
        <Button variant="contained" onClick={compute} disabled={busy || territoryId === '' || badHorizon} sx={{ mt: 1 }} data-testid="plan-compute">
          {busy && !plan ? 'Calcul…' : 'Calculer le plan'}
        </Button>
      </Stack>
      {error ? <Alert severity="error">{error}</Alert> : null}
      {plan ? (
        <>
          <Card data-testid="plan-summary">
            <CardContent>
              <Typography variant="subtitle1">Du {frDate(plan.from)} au {frDate(plan.to)}</Typography>
              <Typography variant="body1">
                <b>{plan.served}</b> demande{plan.served > 1 ? 's' : ''} servie{plan.served > 1 ? 's' : ''} sur {plan.openRequests} ouverte{plan.openRequests > 1 ? 's' : ''}
                {' '}({plan.greedyServed} en traitant les demandes une par une, dans l’ordre d’arrivée).
              </Typography>
              <Typography variant="body2" color="text.secondary">
                {plan.source === 'milp' ? 'Calculé par le solveur' : 'Affectation demande par demande (le solveur n’a pas fait mieux)'} en {decimal(plan.solveMs / 1000, 1)} s
                {plan.servedBound !== null ? ` · au plus ${plan.servedBound} demandes servies possibles` : ''}
                {plan.gapPct !== null ? ` · écart à l’optimum : ${decimal(plan.gapPct, 2)} %` : ''}
              </Typography>
            </CardContent>
          </Card>
          <Typography variant="h6">Ce que le plan change par rapport aux propositions d’aujourd’hui</Typography>
          {explained.length ? (
            <Stack spacing={1} data-testid="plan-changes">
              {explained.map((c) => (
                <Alert key={`${c.requestId}:${c.requestLeg}`} severity={c.change === 'dropped' ? 'warning' : c.change === 'added' ? 'success' : 'info'} icon={false}>
                  <b>{c.label}</b> – <a href={`#/requests/${c.requestId}/show`}>demande n° {c.requestId}</a>{c.requestLeg === 'return' ? ' (retour)' : ''} : {c.text}
                </Alert>
              ))}
            </Stack>
          ) : (
            <Typography variant="body2">Rien : le plan appelle les mêmes conducteurs que les propositions d’aujourd’hui.</Typography>
          )}
          <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
            <Typography variant="h6">Affectations</Typography>
            <Button variant="contained" onClick={() => confirm()} disabled={busy || !toConfirm.length} data-testid="plan-confirm-all">
              Tout confirmer ({toConfirm.length})
            </Button>
          </Stack>
          {done ? (
            <Alert severity={done.stale.length ? 'warning' : 'success'} data-testid="plan-confirmed">
              {done.confirmed.length} mise{done.confirmed.length > 1 ? 's' : ''} en relation confirmée{done.confirmed.length > 1 ? 's' : ''} : à appeler.
              {done.stale.map((s) => ` Demande n° ${s.requestId} non confirmée : ${frenchStale(s.reason)}.`).join('')}
            </Alert>
          ) : null}
          <Box sx={{ overflowX: 'auto' }}>
            <Table size="small" data-testid="plan-assignments">
              <TableHead>
                <TableRow><TableCell>Demande</TableCell><TableCell>Date</TableCell><TableCell>Conducteur</TableCell><TableCell>Détour</TableCell><TableCell /></TableRow>
              </TableHead>
              <TableBody>
                {plan.assignments.map((a) => (
                  <TableRow key={`${a.requestId}:${a.requestLeg}`}>
                    {/* A round trip has a row per leg: it is served only with both, and confirmed with both. */}
                    <TableCell><a href={`#/requests/${a.requestId}/show`}>n° {a.requestId}</a>{a.requestLeg === 'return' ? ' (retour)' : ''}</TableCell>
                    <TableCell>{frDate(a.date)}</TableCell>
                    <TableCell data-testid={`plan-driver-${a.requestId}-${a.requestLeg}`}>
                      {a.kind === 'volunteer' ? (
                        <>
                          <Chip size="small" color="secondary" label="Bénévole" sx={{ mr: 1 }} />
                          {volunteerText(volunteers.get(a.volunteerId!), a.volunteerId!).replace(/^le bénévole /, '')}
                          {a.requestLeg === 'return'
                            ? ' – même sortie que l’aller'
                            : a.leaveHome && a.backHome ? ` – départ du domicile ${a.leaveHome}, retour ${a.backHome}` : ''}
                        </>
                      ) : (
                        tripText(trips.get(a.tripId!), a.tripId!, a.leg).replace(/^le /, '')
                      )}
                    </TableCell>
                    {/* A volunteer drives the whole outing for the passenger: all of it is extra. */}
                    <TableCell>{minutes(a.detourS)}{a.kind === 'volunteer' ? ' (toute la sortie)' : ''}</TableCell>
                    <TableCell>
                      {a.fixed ? <Chip size="small" label="Déjà acceptée" /> : a.matchId !== null ? (
                        <Chip size="small" color="success" label="Confirmée" component="a" href={`#/matches/${a.matchId}/show`} clickable />
                      ) : (
                        <Button size="small" onClick={() => confirm([a.requestId])} disabled={busy}>Confirmer</Button>
                      )}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Box>
          {plan.unserved.length ? (
            <Typography variant="body2">
              Sans conducteur dans ce plan : {plan.unserved.map((id, i) => <span key={id}>{i ? ', ' : ''}<a href={`#/requests/${id}/show`}>n° {id}</a></span>)}.
            </Typography>
          ) : null}
        </>
      ) : null}
    </Stack>
  );
}

/** The API's reasons (English) said in French. */
function frenchStale(reason: string) {
  if (reason.startsWith('the request is')) return 'la demande a changé de statut depuis le plan';
  if (reason.startsWith('this trip can no longer')) return 'ce trajet ne peut plus la prendre (places ou horaires)';
  if (reason.startsWith('this match was')) return 'cette mise en relation a été refusée ou annulée depuis';
  if (reason.startsWith('the volunteer already has')) return 'le bénévole a depuis un autre trajet à cette heure';
  return reason;
}
