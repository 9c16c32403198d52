import { Box, Button, Chip, Link, Typography } from '@mui/material';
import { useState } from 'react';
import { useNotify } from 'react-admin';
import { api, messageOf } from '../api.ts';

/** What a proposal says beside the driver's name: a volunteer's badge and trip, both amounts, the receipt once agreed. */
export interface ProposalCosts {
  id: number;
  status: string;
  kind?: 'carpool' | 'volunteer';
  participationEur?: number | null;
  allowanceEur?: number | null;
  volunteerTrip?: { distanceM: number; leaveHome: string; backHome: string; returnPlan: 'none' | 'waits' | 'goes_home'; waitMin: number | null } | null;
}

const eur = (n: number) => new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(n);
const km = (m: number) => `${new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 }).format(m / 1000)}\u00a0km`;
const RETURN = { none: '', waits: ', attend sur place', goes_home: ', rentre puis revient' } as const;

export function ProposalKind({ m }: { m: ProposalCosts }) {
  const volunteer = m.kind === 'volunteer';
  const v = m.volunteerTrip;
  return (
    <Box data-testid={`kind-${m.id}`} sx={{ mt: 0.5 }}>
      {volunteer ? <Chip size="small" color="secondary" label="Bénévole" data-testid={`volunteer-badge-${m.id}`} sx={{ mr: 1 }} /> : null}
      {volunteer && v ? (
        <Typography variant="caption" component="span">
          Départ {v.leaveHome}, retour {v.backHome}{RETURN[v.returnPlan]}{v.waitMin ? ` (${v.waitMin} min)` : ''} · {km(v.distanceM)} domicile → domicile
        </Typography>
      ) : null}
      {m.participationEur != null || m.allowanceEur != null ? (
        <Typography variant="caption" component="div" data-testid={`amounts-${m.id}`}>
          {m.participationEur != null ? <Box component="span" sx={{ display: 'block', whiteSpace: 'nowrap' }}>Participation : <b>{eur(m.participationEur)}</b></Box> : null}
          {m.allowanceEur != null ? <Box component="span" sx={{ display: 'block', whiteSpace: 'nowrap' }}>Indemnité bénévole : <b>{eur(m.allowanceEur)}</b></Box> : null}
        </Typography>
      ) : null}
      {['accepted', 'confirmed', 'done'].includes(m.status) ? (
        <Link variant="caption" href={`/api/matches/${m.id}/receipt.pdf`} target="_blank" data-testid={`receipt-${m.id}`}>Carnet de voyage (PDF)</Link>
      ) : null}
    </Box>
  );
}

/** For the map: a volunteer's trip starts and ends at home (read from the volunteer), a commuter's is their trip. */
export async function volunteerAsTrip(
  get: <T>(path: string) => Promise<T>,
  m: { kind?: string; driverId: number; volunteerTrip?: { leaveHome: string } | null },
) {
  const v = await get<{ id: number; home: { lng: number; lat: number }; homeLabel: string | null }>(`/api/volunteers/${m.driverId}`);
  return { id: -v.id, origin: v.home, destination: v.home, originLabel: v.homeLabel ?? 'domicile', destinationLabel: 'retour au domicile', departureTime: m.volunteerTrip?.leaveHome ?? '' };
}

/**
 * Runs the search again for a stored request: commuters whose trips changed or came since, and the volunteers
 * available now (matches already handled keep their status).
 */
export function Rematch({ requestId, onDone }: { requestId: number; onDone: () => void | Promise<void> }) {
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      const r = await api<{ proposals: unknown[] }>(`/api/requests/${requestId}/match`, { method: 'POST' });
      notify(`Recherche relancée : ${r.json.proposals.length} proposition${r.json.proposals.length > 1 ? 's' : ''}`, { type: 'info' });
      await onDone();
    } catch (e: any) {
      notify(messageOf(e.body, e.status), { type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button size="small" variant="outlined" onClick={run} disabled={busy} data-testid="rematch" sx={{ ml: 2, verticalAlign: 'middle' }}>
      Relancer la recherche (covoitureurs et bénévoles)
    </Button>
  );
}
