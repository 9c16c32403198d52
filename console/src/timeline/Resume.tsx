import ReplayIcon from '@mui/icons-material/Replay';
import { Alert, Button } from '@mui/material';
import { useEffect, useState } from 'react';
import { useNotify } from 'react-admin';
import { Link, useSearchParams } from 'react-router';
import { api, messageOf } from '../api.ts';
import type { ChosenPoint, PointSource } from '../places/PlaceSearch.tsx';

/** The query parameter of the phone intake that names the request to start again from. */
export const RESUME_PARAM = 'reprendre';

/** "Reprendre ce trajet": one click to the phone intake, filled in from a past request (the date left to choose). */
export function ResumeButton({ requestId, size = 'small' }: { requestId: number; size?: 'small' | 'medium' }) {
  return (
    <Button component={Link} to={`/appel?${RESUME_PARAM}=${requestId}`} size={size} variant="outlined" startIcon={<ReplayIcon />}
      onClick={(e) => e.stopPropagation()} data-testid={`resume-${requestId}`} sx={{ whiteSpace: 'nowrap', flexShrink: 0 }}>
      Reprendre ce trajet
    </Button>
  );
}

type Pt = { lng: number; lat: number };
/** What the intake needs of the past request (GET /api/requests/:id). */
export interface PastRequest {
  id: number; territoryId: number; passengerId: number | null; from: Pt; to: Pt; fromLabel: string | null; toLabel: string | null;
  fromSource: PointSource; toSource: PointSource; date: string | null; weekdays: number[]; time: string; timeKind: 'depart' | 'arrive';
  toleranceMin: number; seats: number; purpose: string; needs: string[];
}
/** The caller as the intake lists people (GET /api/people/:id). */
export interface Caller {
  id: number; firstName: string | null; lastName: string | null; phone: string | null; communeName: string | null;
  isPassenger: boolean; isDriver: boolean; territoryId: number;
}

export const endOf = (p: Pt, label: string | null, source: PointSource, fallback: string): ChosenPoint =>
  ({ lng: p.lng, lat: p.lat, label: label ?? fallback, source });

/**
 * With `?reprendre=<id>`, loads that request and its passenger once and hands them to `apply` (the intake's
 * setters); returns the request's id while it is the one being resumed, for the notice.
 */
export function useResume(reason: string, apply: (r: PastRequest, who: Caller | null) => void): number | null {
  const [params] = useSearchParams();
  const notify = useNotify();
  const wanted = Number(params.get(RESUME_PARAM)) || null;
  const [done, setDone] = useState<number | null>(null);
  useEffect(() => {
    if (!wanted || done === wanted) return;
    let live = true;
    (async () => {
      const r = (await api<PastRequest>(`/api/requests/${wanted}`, { reason })).json;
      const who = r.passengerId ? (await api<Caller>(`/api/people/${r.passengerId}`, { reason })).json : null;
      if (!live) return;
      apply(r, who);
      setDone(wanted);
    })().catch((e: any) => notify(messageOf(e.body, e.status), { type: 'error' }));
    return () => { live = false; };
  }, [wanted]);
  return done === wanted ? wanted : null;
}

/** Says which request the form was filled in from, and what is left to do. */
export function ResumeNotice({ requestId }: { requestId: number | null }) {
  if (!requestId) return null;
  return (
    <Alert severity="info" data-testid="resume-notice">
      Trajet repris de la demande n° {requestId} : même personne, mêmes lieux, même heure. Choisissez la date, vérifiez, puis enregistrez.
    </Alert>
  );
}
