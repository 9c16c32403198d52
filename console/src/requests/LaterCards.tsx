import { Card, CardContent, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { RequestHistory } from '../timeline/RequestHistory.tsx';
import { Alternatives, type AlternativesValue } from './Alternatives.tsx';
import { RequestMessages } from './Messages.tsx';
import { NearMisses } from './NearMisses.tsx';
import { TusRules } from './TusRules.tsx';

type Pt = { lng: number; lat: number };
export interface LaterRequest {
  id: number; territoryId: number; passengerId: number | null; from: Pt; to: Pt; date: string | null; weekdays: number[]; time: string;
  timeKind: string; toleranceMin: number; seats: number; purpose: string; proposals: unknown[];
}

/**
 * The review page's cards under the proposals and the map: the request's history, its messages, the drivers who
 * nearly fit, the TUS rules and, when no driver fits, the other ways to travel. RequestShow loads this module (a
 * chunk of its own) once its first view is drawn: their scripts, their questions to the API and their rendering
 * came before the map on a loaded machine, and the coordinator reads the proposals and the map first.
 */
export function LaterCards({ req, version, names, onChanged }: {
  req: LaterRequest;
  /** Changes whenever the request was reloaded: the cards ask again. */
  version: number;
  names: (personId: number | null) => string;
  onChanged: () => Promise<void> | void;
}) {
  const [alternatives, setAlternatives] = useState<AlternativesValue | null>(null);
  useEffect(() => {
    if (req.proposals.length > 0) return;
    // No driver fits: ask for the other ways to travel (transit, on-demand, seated-patient transport).
    api('/api/match', {
      method: 'POST',
      body: { territoryId: req.territoryId, from: req.from, to: req.to, ...(req.date ? { date: req.date } : { weekdays: req.weekdays }), time: req.time, timeKind: req.timeKind, toleranceMin: req.toleranceMin, seats: req.seats, purpose: req.purpose, alternatives: true },
    }).then((r) => setAlternatives(r.json.alternatives ?? {})).catch(() => setAlternatives({}));
  }, [req.id, req.proposals.length]);

  return (
    <>
      <RequestHistory requestId={req.id} passengerId={req.passengerId} version={version} />
      <Card>
        <CardContent>
          <Typography variant="h6">Messages (SMS, appels, courriers)</Typography>
          <RequestMessages requestId={req.id} version={version} names={names} />
        </CardContent>
      </Card>
      <NearMisses requestId={req.id} proposals={req.proposals.length} version={version} onWidened={onChanged} />
      <TusRules requestId={req.id} />
      {req.proposals.length === 0 || alternatives ? (
        <Card>
          <CardContent>
            <Typography variant="h6">Autres solutions</Typography>
            <Alternatives value={alternatives} />
          </CardContent>
        </Card>
      ) : null}
    </>
  );
}
