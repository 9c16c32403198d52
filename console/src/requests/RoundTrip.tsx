import { Alert, Box, Button, Card, CardContent, Chip, MenuItem, Stack, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { useNotify, useTranslate } from 'react-admin';
import { api, messageOf } from '../api.ts';
import { PhoneLink } from '../fr/PhoneLink.tsx';
import { returnText } from './return-text.ts';

interface Leg { id: number; driverId: number; tripId: number | null; requestLeg?: 'outbound' | 'return'; bothLegs?: boolean; status: string; pickup: { time: string }; dropoff: { time: string } }
interface Pair { driverId: number; outboundMatchId: number; returnMatchId: number; sameTrip: boolean; score: number }
interface Person { id: number; firstName: string | null; lastName: string | null; phone: string | null }
export interface RoundTripRequest {
  id: number; returnTime: string | null; returnAfterMin: number | null; proposals: Leg[]; roundTrip: Pair[] | null;
}

const drivers = (n: number) => (n === 0 ? 'aucun conducteur' : n === 1 ? '1 conducteur' : `${n} conducteurs`);
const name = (p?: Person) => (p ? `${p.firstName ?? ''} ${p.lastName ?? ''}`.trim() || `n° ${p.id}` : '…');

/** Which of the passenger's legs a proposal serves, in the proposals table of a round trip ("Aller", "Retour", and whether its driver does both). */
export function LegChip({ m, roundTrip }: { m: Leg; roundTrip: boolean }) {
  // A one-way request has only outbound proposals: no chip to read on every row.
  if (!m.requestLeg || !roundTrip) return null;
  const back = m.requestLeg === 'return';
  return (
    <Chip size="small" variant={m.bothLegs ? 'filled' : 'outlined'} color={m.bothLegs ? 'success' : back ? 'secondary' : 'primary'}
      label={back ? `Retour${m.bothLegs ? ' · fait aussi l’aller' : ''}` : `Aller${m.bothLegs ? ' · fait aussi le retour' : ''}`} sx={{ mb: 0.5 }} data-testid={`leg-${m.id}`} />
  );
}

/**
 * The way back of a round trip on the review page: the drivers who can take the passenger both ways first (one
 * trip that passes back at the right time, or two trips of one driver), each confirmed for both legs in one click;
 * then how many drivers serve one leg only (they are in the table below, marked "Aller" or "Retour").
 */
export function RoundTrip({ req, people, note, onChanged }: {
  req: RoundTripRequest; people: Map<number, Person>; note: string; onChanged: () => Promise<void> | void;
}) {
  const t = useTranslate();
  const notify = useNotify();
  const [busy, setBusy] = useState<number | null>(null);
  const text = returnText(req);
  if (!text || !req.roundTrip) return null;
  const byId = new Map(req.proposals.map((p) => [p.id, p]));
  const count = (leg: string) => new Set(req.proposals.filter((p) => p.requestLeg === leg).map((p) => p.driverId)).size;

  const confirm = async (p: Pair) => {
    setBusy(p.driverId);
    try {
      await api(`/api/requests/${req.id}/confirm-round-trip`, {
        method: 'POST', body: { outboundMatchId: p.outboundMatchId, returnMatchId: p.returnMatchId, note: note || null },
      });
      notify(`Aller et retour confirmés avec ${name(people.get(p.driverId))}`, { type: 'success' });
      await onChanged();
    } catch (e: any) {
      notify(messageOf(e.body, e.status), { type: 'error' });
    } finally {
      setBusy(null);
    }
  };

  return (
    <Card data-testid="round-trip">
      <CardContent>
        <Typography variant="h6">Aller et retour</Typography>
        <Typography variant="body2" sx={{ mb: 1 }}>
          {text} · {drivers(count('outbound'))} pour l’aller, {count('return') || 'aucun'} pour le retour
        </Typography>
        {req.roundTrip.length === 0 ? (
          <>
            <Alert severity="info">Aucun conducteur ne peut faire l’aller et le retour : un conducteur à l’aller, un autre au retour.</Alert>
            <TwoDrivers req={req} people={people} note={note} onChanged={onChanged} />
          </>
        ) : (
          <Stack spacing={1}>
            {req.roundTrip.map((p) => {
              const out = byId.get(p.outboundMatchId), back = byId.get(p.returnMatchId);
              if (!out || !back) return null;
              const d = people.get(p.driverId);
              const done = out.status === 'confirmed' && back.status === 'confirmed';
              const open = ['proposed', 'contacted', 'accepted', 'confirmed'];
              const can = !done && open.includes(out.status) && open.includes(back.status);
              return (
                <Box key={p.driverId} data-testid={`pair-${p.driverId}`}
                  sx={{ display: 'flex', flexWrap: 'wrap', gap: 1, alignItems: 'center', justifyContent: 'space-between', border: 1, borderColor: 'divider', borderRadius: 1, p: 1 }}>
                  <Box sx={{ minWidth: 0 }}>
                    <Typography><b>{name(d)}</b> {d?.phone ? <>· <PhoneLink phone={d.phone} /></> : null}</Typography>
                    <Typography variant="body2">
                      Aller {out.pickup.time} → {out.dropoff.time} ({t(`comobi.matchStatus.${out.status}`)}) · Retour {back.pickup.time} → {back.dropoff.time} ({t(`comobi.matchStatus.${back.status}`)})
                    </Typography>
                    <Typography variant="caption">
                      {p.sameTrip ? 'Même trajet : son retour habituel repasse à l’heure du retour' : 'Deux trajets du même conducteur'}
                    </Typography>
                  </Box>
                  {done ? <Chip color="success" label="Aller et retour confirmés" /> : (
                    <Button variant="contained" disabled={!can || busy !== null} onClick={() => confirm(p)} data-testid={`confirm-both-${p.driverId}`} sx={{ flexShrink: 0 }}>
                      Confirmer l’aller et le retour
                    </Button>
                  )}
                </Box>
              );
            })}
          </Stack>
        )}
      </CardContent>
    </Card>
  );
}

/** Matches a coordinator may still confirm as one leg of the round trip. */
const CHOOSABLE = ['proposed', 'contacted', 'accepted'];

/**
 * No driver does both legs: one driver each way, confirmed in one action all the same (the passenger then gets one
 * message telling both legs, each driver their own). The best proposal of each leg is chosen first.
 */
function TwoDrivers({ req, people, note, onChanged }: {
  req: RoundTripRequest; people: Map<number, Person>; note: string; onChanged: () => Promise<void> | void;
}) {
  const notify = useNotify();
  const legs = (leg: string) => req.proposals.filter((p) => p.requestLeg === leg && CHOOSABLE.includes(p.status));
  const outs = legs('outbound'), backs = legs('return');
  const [outId, setOutId] = useState<number | ''>(outs[0]?.id ?? '');
  const [backId, setBackId] = useState<number | ''>(backs[0]?.id ?? '');
  const [busy, setBusy] = useState(false);
  if (!outs.length || !backs.length) return null;
  const out = outs.find((p) => p.id === outId) ?? outs[0];
  const back = backs.find((p) => p.id === backId) ?? backs[0];
  const label = (p: Leg) => `${name(people.get(p.driverId))} · ${p.pickup.time} → ${p.dropoff.time}`;

  const confirm = async () => {
    setBusy(true);
    try {
      await api(`/api/requests/${req.id}/confirm-round-trip`, {
        method: 'POST', body: { outboundMatchId: out.id, returnMatchId: back.id, note: note || null },
      });
      notify(`Aller confirmé avec ${name(people.get(out.driverId))}, retour avec ${name(people.get(back.driverId))}`, { type: 'success' });
      await onChanged();
    } catch (e: any) {
      notify(messageOf(e.body, e.status), { type: 'error' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box data-testid="two-drivers" sx={{ display: 'flex', flexWrap: 'wrap', gap: 1, alignItems: 'center', mt: 1 }}>
      <TextField select size="small" label="Aller" value={out.id} onChange={(e) => setOutId(Number(e.target.value))} sx={{ minWidth: 240, flex: '1 1 240px' }}
        data-testid="two-drivers-outbound">
        {outs.map((p) => <MenuItem key={p.id} value={p.id}>{label(p)}</MenuItem>)}
      </TextField>
      <TextField select size="small" label="Retour" value={back.id} onChange={(e) => setBackId(Number(e.target.value))} sx={{ minWidth: 240, flex: '1 1 240px' }}
        data-testid="two-drivers-return">
        {backs.map((p) => <MenuItem key={p.id} value={p.id}>{label(p)}</MenuItem>)}
      </TextField>
      <Button variant="contained" disabled={busy} onClick={() => void confirm()} data-testid="confirm-two-drivers" sx={{ flexShrink: 0 }}>
        Confirmer l’aller et le retour
      </Button>
    </Box>
  );
}
