import { Alert, Box, Button, Card, CardContent, Stack, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { useNotify } from 'react-admin';
import { api, messageOf } from '../api.ts';
import { PhoneLink } from '../fr/PhoneLink.tsx';
import type { WidenedValue } from './WidenedNote.tsx';

import type { NearMiss, NearMissAnswer, Widening } from '@comobi/services/matching/near-miss-types';

interface Person { id: number; firstName: string | null; lastName: string | null; phone: string | null }

/** Below this many proposals the page looks for drivers who nearly fit (the API's NEAR_MISSES_BELOW). */
const FEW = 3;

const GROUPS: { kind: NearMiss['kind']; title: string }[] = [
  { kind: 'time', title: 'Le même jour, à d’autres heures' },
  { kind: 'day', title: 'D’autres jours, à la même heure' },
  { kind: 'corridor', title: 'Juste hors du couloir' },
  // A driver may accept a few minutes more, a seat may free up: worth a call.
  { kind: 'detour', title: 'Détour un peu trop long' },
  { kind: 'seats', title: 'Complets ce jour-là' },
];

const plural = (n: number, one: string, many: string) => `${n} ${n > 1 ? many : one}`;

/**
 * When few drivers fit: who nearly does (other times that day, other days at that time, just outside the corridor, a
 * little over the detour limit, no seat left that day), with the gap as the coordinator will say it, and the one-click widenings that turn them into proposals.
 */
export function NearMisses({ requestId, proposals, version, onWidened }: {
  requestId: number;
  proposals: number;
  /** Changes whenever the request was reloaded: the near misses are asked again. */
  version: number;
  onWidened: () => Promise<void> | void;
}) {
  const notify = useNotify();
  const reason = `request:${requestId}`;
  const [answer, setAnswer] = useState<NearMissAnswer | null>(null);
  const [people, setPeople] = useState<Map<number, Person>>(new Map());
  const [busy, setBusy] = useState<string | null>(null);
  const [done, setDone] = useState<{ label: string; added: number } | null>(null);
  const few = proposals < FEW;

  useEffect(() => {
    if (!few) return;
    let live = true;
    (async () => {
      const a = (await api<NearMissAnswer>(`/api/requests/${requestId}/near-misses`, { reason })).json;
      if (!live) return;
      setAnswer(a);
      const ids = [...new Set(a.nearMisses.map((m) => m.driverId))];
      if (ids.length) {
        const q = new URLSearchParams({ filter: JSON.stringify({ id: ids }), range: `[0,${ids.length - 1}]` });
        const ps = (await api<Person[]>(`/api/people?${q}`, { reason })).json;
        if (live) setPeople(new Map(ps.map((p) => [p.id, p])));
      }
    })().catch((e: any) => live && (setAnswer({ nearMisses: [], widenings: [], approximate: false }), notify(messageOf(e.body, e.status), { type: 'error' })));
    return () => { live = false; };
  }, [requestId, version, few]);

  if (!few && !done) return null;

  const widen = async (w: Widening) => {
    setBusy(w.kind);
    try {
      const r = (await api<{ widened: WidenedValue & { added: number[] } }>(`/api/requests/${requestId}/widen`, { method: 'POST', body: { kind: w.kind }, reason })).json;
      setDone({ label: r.widened.label, added: r.widened.added.length });
      await onWidened();
    } catch (e: any) {
      notify(messageOf(e.body, e.status), { type: 'error' });
    } finally {
      setBusy(null);
    }
  };

  const name = (id: number) => {
    const p = people.get(id);
    return p ? `${p.firstName ?? ''} ${p.lastName ?? ''}`.trim() || `n° ${id}` : `conducteur n° ${id}`;
  };

  return (
    <Card data-testid="near-misses">
      <CardContent>
        <Typography variant="h6">Conducteurs presque compatibles</Typography>
        {done ? (
          <Alert severity={done.added ? 'success' : 'info'} sx={{ my: 1 }} data-testid="widen-result">
            Recherche élargie ({done.label}) : {done.added ? `${plural(done.added, 'conducteur ajouté', 'conducteurs ajoutés')} aux propositions.` : 'aucun conducteur de plus.'}
          </Alert>
        ) : null}
        {!few ? null : !answer ? (
          <Typography variant="body2">Recherche des conducteurs proches…</Typography>
        ) : (
          <Stack spacing={1.5}>
            {answer.nearMisses.length === 0 ? (
              <Typography variant="body2">Aucun conducteur proche : ni à d’autres heures, ni d’autres jours, ni juste hors du couloir, ni pour quelques minutes de détour ou une place.</Typography>
            ) : (
              GROUPS.map(({ kind, title }) => {
                const list = answer.nearMisses.filter((m) => m.kind === kind);
                if (!list.length) return null;
                return (
                  <Box key={kind} data-testid={`near-${kind}`}>
                    <Typography variant="subtitle2">{title}</Typography>
                    {list.map((m) => (
                      <Typography key={`${m.tripId}:${m.leg}:${m.date}`} variant="body2" data-testid="near-miss">
                        • <b>{name(m.driverId)}</b>
                        {people.get(m.driverId)?.phone ? <> (<PhoneLink phone={people.get(m.driverId)!.phone} />)</> : null}
                        {' '}{m.summary}{m.kind === 'detour' ? null : ` · détour ${Math.round(m.detourS / 60)} min`}
                      </Typography>
                    ))}
                  </Box>
                );
              })
            )}
            {answer.widenings.length ? (
              <Box>
                <Typography variant="subtitle2">Élargir la recherche</Typography>
                <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap', mt: 0.5 }}>
                  {answer.widenings.map((w) => (
                    <Button key={w.kind} size="small" variant="outlined" disabled={busy !== null} onClick={() => void widen(w)}
                      data-testid={`widen-${w.kind}`} sx={{ textTransform: 'none' }}>
                      {w.kind === 'day' ? '± 1 jour' : w.label}
                      {` (${w.adds ? `+ ${plural(w.adds, 'conducteur', 'conducteurs')}` : 'personne de plus'})`}
                    </Button>
                  ))}
                </Stack>
              </Box>
            ) : null}
            {answer.approximate ? (
              <Typography variant="caption">Temps estimés à vol d’oiseau : le calcul d’itinéraire n’a pas répondu à temps.</Typography>
            ) : null}
          </Stack>
        )}
      </CardContent>
    </Card>
  );
}
