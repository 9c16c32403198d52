import { Box, Card, CardContent, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { CircleMarker, Polyline, Tooltip } from 'react-leaflet';
import { api } from '../api.ts';
import { BaseMap } from '../map/BaseMap.tsx';

interface Place { insee: string; name: string; lng: number; lat: number }
interface Pair {
  origin: Place; destination: Place; hour: number; timeKind: 'arrive' | 'depart';
  unserved: number; days: number; peakDay: number; driversNeeded: number; driversOnAxis: number;
}
interface Recruiting { from: string; to: string; unservedTotal: number; pairs: Pair[] }

const frDate = (iso: string) => iso.split('-').reverse().join('/');
export const hourText = (p: Pair) => `${p.timeKind === 'arrive' ? 'arrivée' : 'départ'} entre ${p.hour}\u00a0h et ${p.hour + 1}\u00a0h`;

/** What to tell a recruiting campaign: "2 conducteurs réguliers Assier → Figeac, arrivée entre 9 h et 10 h". */
function campaign(p: Pair) {
  const n = p.driversNeeded;
  const base = `${n} conducteur${n > 1 ? 's' : ''} régulier${n > 1 ? 's' : ''} ${p.origin.name} → ${p.destination.name}, ${hourText(p)}`;
  if (!p.driversOnAxis) return `${base} ; aucun conducteur inscrit sur cet axe`;
  return `${base} ; ${p.driversOnAxis} conducteur${p.driversOnAxis > 1 ? 's' : ''} déjà inscrit${p.driversOnAxis > 1 ? 's' : ''} sur l’axe : leur demander d’abord s’ils peuvent partir à cette heure`;
}

/**
 * The dashboard's "where drivers are missing": the commune pairs and hours with the most requests left without a
 * driver, on the map (one line from the departure to the arrival, as thick as the demand) and as a table.
 */
export function Recruiting({ territoryId }: { territoryId?: number | null }) {
  const [data, setData] = useState<Recruiting | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const q = new URLSearchParams({ limit: '10', ...(territoryId ? { territoryId: String(territoryId) } : {}) });
    api<Recruiting>(`/api/recruiting?${q}`).then((r) => setData(r.json)).catch(() => setFailed(true));
  }, [territoryId]);
  if (failed) return null;
  const max = Math.max(1, ...(data?.pairs.map((p) => p.unserved) ?? []));
  const fit = data?.pairs.flatMap((p) => [[p.origin.lng, p.origin.lat], [p.destination.lng, p.destination.lat]] as [number, number][]);
  return (
    <Card data-testid="recruiting">
      <CardContent>
        <Typography variant="subtitle1">Où manquent des conducteurs</Typography>
        {!data ? (
          <Typography variant="body2">Chargement…</Typography>
        ) : (
          <>
            <Typography variant="body2" sx={{ mb: 1 }}>
              Du {frDate(data.from)} au {frDate(data.to)} : {data.unservedTotal} demande{data.unservedTotal > 1 ? 's' : ''} restée{data.unservedTotal > 1 ? 's' : ''} sans
              conducteur (aucun conducteur, pas à cet horaire, plus de place, conducteurs indisponibles). Les trajets et horaires qui en
              comptent le plus ; « à trouver » : les conducteurs réguliers à cet horaire qui les auraient servies (2 passagers par jour chacun).
            </Typography>
            {data.pairs.length ? (
              <Stack direction={{ xs: 'column', lg: 'row' }} spacing={2}>
                <Box sx={{ flex: '1 1 auto', minWidth: 0, overflowX: 'auto' }}>
                  <Table size="small" data-testid="recruiting-table" sx={{ '& th, & td': { px: 1 } }}>
                    <TableHead>
                      <TableRow>
                        <TableCell>Trajet</TableCell><TableCell>Horaire</TableCell><TableCell align="right">Non servies</TableCell>
                        <TableCell align="right">Jours</TableCell><TableCell align="right">À trouver</TableCell><TableCell align="right">Déjà sur l’axe</TableCell>
                      </TableRow>
                    </TableHead>
                    <TableBody>
                      {data.pairs.map((p) => (
                        <TableRow key={`${p.origin.insee}-${p.destination.insee}-${p.timeKind}-${p.hour}`} title={campaign(p)}>
                          <TableCell sx={{ whiteSpace: 'nowrap' }}>{p.origin.name} → {p.destination.name}</TableCell>
                          <TableCell sx={{ whiteSpace: 'nowrap' }}>{hourText(p)}</TableCell>
                          <TableCell align="right">{p.unserved}</TableCell>
                          <TableCell align="right">{p.days}</TableCell>
                          <TableCell align="right"><b>{p.driversNeeded}</b></TableCell>
                          <TableCell align="right">{p.driversOnAxis}</TableCell>
                        </TableRow>
                      ))}
                    </TableBody>
                  </Table>
                  <Typography variant="body2" sx={{ mt: 1 }} data-testid="recruiting-first">À viser d’abord : {campaign(data.pairs[0])}.</Typography>
                </Box>
                <Box sx={{ flex: { xs: '1 1 auto', lg: '0 0 360px' }, minWidth: 280 }}>
                  <BaseMap territoryId={territoryId} fit={fit} height={340}>
                    {data.pairs.map((p) => (
                      <Polyline key={`${p.origin.insee}-${p.destination.insee}-${p.timeKind}-${p.hour}`}
                        positions={[[p.origin.lat, p.origin.lng], [p.destination.lat, p.destination.lng]]}
                        pathOptions={{ color: '#c62828', weight: 2 + (8 * p.unserved) / max, opacity: 0.75 }}>
                        <Tooltip sticky>{p.origin.name} → {p.destination.name}, {hourText(p)} : {p.unserved} non servie{p.unserved > 1 ? 's' : ''}</Tooltip>
                      </Polyline>
                    ))}
                    {data.pairs.map((p) => (
                      <CircleMarker key={`d-${p.destination.insee}-${p.origin.insee}-${p.hour}-${p.timeKind}`} center={[p.destination.lat, p.destination.lng]} radius={4}
                        pathOptions={{ color: '#1a237e', fillOpacity: 1 }} />
                    ))}
                  </BaseMap>
                </Box>
              </Stack>
            ) : (
              <Typography variant="body2">Aucune demande restée sans conducteur sur la période.</Typography>
            )}
          </>
        )}
      </CardContent>
    </Card>
  );
}
