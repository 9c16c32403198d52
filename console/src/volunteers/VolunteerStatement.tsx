import { Alert, Box, Button, Card, CardContent, MenuItem, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { api, messageOf } from '../api.ts';

interface Line {
  matchId: number; date: string; status: 'confirmed' | 'done'; leaveHomeMin: number; backHomeMin: number; pickupMin: number;
  passenger: string; from: string; to: string; distanceKm: number; waitMin: number | null; roundTrip: boolean;
  allowanceEur: number; participationEur: number;
}
interface Statement { month: string; lines: Line[]; totals: { trips: number; distanceKm: number; allowanceEur: number; participationEur: number } }

const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
const monthLabel = (m: string) => `${MONTHS[Number(m.slice(5, 7)) - 1]} ${m.slice(0, 4)}`;
const eur = (n: number) => new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(n);
const kms = (n: number) => `${new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(n)}\u00a0km`;
const clock = (min: number) => `${String(Math.floor(min / 60) % 24).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
const frDate = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

/** The months a coordinator looks back at: this one, the 12 before, and the next 3 (trips already confirmed). */
function monthsAround(now = new Date()): string[] {
  const out: string[] = [];
  for (let k = 3; k >= -12; k--) {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + k, 1));
    out.push(d.toISOString().slice(0, 7));
  }
  return out;
}

/** A volunteer's month: the trips confirmed or done, the kilometres home → home, allowances; CSV and PDF to download. */
export function VolunteerStatement({ volunteerId }: { volunteerId: number }) {
  const months = monthsAround();
  const [month, setMonth] = useState(months[3]);
  const [st, setSt] = useState<Statement | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setSt(null);
    setError(null);
    api<Statement>(`/api/volunteers/${volunteerId}/statement?month=${month}`, { reason: `volunteer:${volunteerId}` })
      .then((r) => setSt(r.json))
      .catch((e) => setError(messageOf(e.body, e.status)));
  }, [volunteerId, month]);
  const file = (format: 'csv' | 'pdf') => `/api/volunteers/${volunteerId}/statement?month=${month}&format=${format}`;

  return (
    <Card data-testid="volunteer-statement">
      <CardContent>
        <Stack direction="row" spacing={2} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}>
          <Typography variant="h6">Relevé mensuel</Typography>
          <TextField select size="small" label="Mois" value={month} onChange={(e) => setMonth(e.target.value)} sx={{ width: 200 }}
            slotProps={{ htmlInput: { 'data-testid': 'statement-month' } }}>
            {months.map((m) => <MenuItem key={m} value={m}>{monthLabel(m)}</MenuItem>)}
          </TextField>
          <Button variant="outlined" href={file('pdf')} target="_blank" data-testid="statement-pdf">Relevé PDF</Button>
          <Button variant="outlined" href={file('csv')} data-testid="statement-csv">Tableur (CSV)</Button>
        </Stack>
        {error ? <Alert severity="error" sx={{ mt: 2 }}>{error}</Alert> : null}
        {st && st.lines.length === 0 ? <Typography sx={{ mt: 2 }} color="text.secondary">Aucun trajet confirmé en {monthLabel(month)}.</Typography> : null}
        {st && st.lines.length ? (
          <Box sx={{ overflowX: 'auto', mt: 2 }}>
            <Table size="small" data-testid="statement-lines">
              <TableHead>
                <TableRow>
                  <TableCell>Date</TableCell><TableCell>Domicile</TableCell><TableCell>Passager</TableCell><TableCell>Trajet</TableCell>
                  <TableCell align="right">Distance</TableCell><TableCell align="right">Indemnité</TableCell><TableCell align="right">Participation</TableCell>
                  <TableCell>Statut</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {st.lines.map((l) => (
                  <TableRow key={l.matchId}>
                    <TableCell>{frDate(l.date)}</TableCell>
                    <TableCell sx={{ whiteSpace: 'nowrap' }}>{clock(l.leaveHomeMin)} – {clock(l.backHomeMin)}</TableCell>
                    <TableCell sx={{ whiteSpace: 'nowrap' }}>{l.passenger}</TableCell>
                    <TableCell>{clock(l.pickupMin)} {l.from} → {l.to}{l.roundTrip ? ` (aller-retour${l.waitMin ? `, ${l.waitMin} min d’attente` : ''})` : ''}</TableCell>
                    <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>{kms(l.distanceKm)}</TableCell>
                    <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>{eur(l.allowanceEur)}</TableCell>
                    <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>{eur(l.participationEur)}</TableCell>
                    <TableCell>{l.status === 'done' ? 'effectué' : 'confirmé'}</TableCell>
                  </TableRow>
                ))}
                <TableRow sx={{ '& td': { fontWeight: 700 } }} data-testid="statement-total">
                  <TableCell>Total</TableCell><TableCell /><TableCell>{st.totals.trips} trajet{st.totals.trips > 1 ? 's' : ''}</TableCell><TableCell />
                  <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>{kms(st.totals.distanceKm)}</TableCell>
                  <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>{eur(st.totals.allowanceEur)}</TableCell>
                  <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>{eur(st.totals.participationEur)}</TableCell>
                  <TableCell />
                </TableRow>
              </TableBody>
            </Table>
          </Box>
        ) : null}
      </CardContent>
    </Card>
  );
}
