import { Alert, Box, Button, Card, CardContent, MenuItem, Stack, TextField, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { Loading, Title, useNotify } from 'react-admin';
import { api, messageOf } from '../api.ts';
import { fieldErrors } from '../fieldReasons.ts';

interface Rules {
  participation: { basis: 'passenger' | 'whole'; flatEur: number; flatUpToKm: number; perKmEur: number; minimumEur: number; waitFreeMin: number; waitPerHourEur: number };
  allowance: { perKmEur: number };
}
type Field = keyof Rules['participation'] | 'allowance';

const eur = (n: number) => new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(n);
const num = (s: string) => Number(s.replace(',', '.'));
const show = (n: number) => String(n).replace('.', ',');

/** The participation the rules ask for a passenger's kilometres and wait, as the API computes it (for the example). */
function example(r: Rules, km: number, waitMin: number) {
  const p = r.participation;
  const base = Math.max(p.minimumEur, p.flatEur + Math.max(0, km - p.flatUpToKm) * p.perKmEur);
  const hours = waitMin > p.waitFreeMin ? Math.ceil((waitMin - p.waitFreeMin) / 60) : 0;
  return Math.round((base + hours * p.waitPerHourEur) * 100) / 100;
}

/**
 * The territory's costs: what a passenger pays for a trip and what a volunteer is refunded per kilometre. New
 * proposals follow a change; trips already agreed keep their amounts.
 */
export function CostSettings() {
  const notify = useNotify();
  const [territories, setTerritories] = useState<{ id: number; name: string }[] | null>(null);
  const [territoryId, setTerritoryId] = useState<number | null>(null);
  const [rules, setRules] = useState<Rules | null>(null);
  const [form, setForm] = useState<Record<Field, string>>({} as Record<Field, string>);
  const [errors, setErrors] = useState<Record<string, string>>({});

  useEffect(() => {
    api<{ id: number; name: string }[]>('/api/territories?range=[0,99]').then((r) => {
      setTerritories(r.json);
      setTerritoryId(r.json[0]?.id ?? null);
    }).catch((e) => notify(messageOf(e.body, e.status), { type: 'error' }));
  }, []);
  useEffect(() => {
    if (territoryId === null) return;
    api<Rules>(`/api/territories/${territoryId}/costs`).then((r) => {
      setRules(r.json);
      const p = r.json.participation;
      setForm({ basis: p.basis, flatEur: show(p.flatEur), flatUpToKm: show(p.flatUpToKm), perKmEur: show(p.perKmEur), minimumEur: show(p.minimumEur),
        waitFreeMin: show(p.waitFreeMin), waitPerHourEur: show(p.waitPerHourEur), allowance: show(r.json.allowance.perKmEur) });
    }).catch((e) => notify(messageOf(e.body, e.status), { type: 'error' }));
  }, [territoryId]);

  if (!territories || (territoryId !== null && !rules)) return <Loading />;
  const draft: Rules | null = rules && {
    participation: { basis: form.basis as 'passenger' | 'whole', flatEur: num(form.flatEur), flatUpToKm: num(form.flatUpToKm), perKmEur: num(form.perKmEur),
      minimumEur: num(form.minimumEur), waitFreeMin: num(form.waitFreeMin), waitPerHourEur: num(form.waitPerHourEur) },
    allowance: { perKmEur: num(form.allowance) },
  };
  const save = async () => {
    setErrors({});
    try {
      const r = await api<Rules>(`/api/territories/${territoryId}/costs`, { method: 'PUT', body: draft });
      setRules(r.json);
      notify('Barème enregistré : les prochaines propositions le suivent', { type: 'success' });
    } catch (e: any) {
      setErrors(fieldErrors(e.body));
      notify(messageOf(e.body, e.status), { type: 'error' });
    }
  };
  const field = (k: Field, label: string, unit: string, path = `participation.${k}`) => (
    <TextField key={k} label={label} value={form[k] ?? ''} onChange={(e) => setForm((f) => ({ ...f, [k]: e.target.value }))} size="small" sx={{ width: 230 }}
      error={Boolean(errors[path])} helperText={errors[path] ?? unit} slotProps={{ htmlInput: { inputMode: 'decimal', 'data-testid': `cost-${k}` } }} />
  );
  const ok = draft && Object.values(draft.participation).every((v) => typeof v === 'string' || Number.isFinite(v)) && Number.isFinite(draft.allowance.perKmEur);

  return (
    <Box sx={{ p: 2, maxWidth: 1000 }}>
      <Title title="Coûts et indemnités" />
      <Stack spacing={2}>
        {territories.length > 1 ? (
          <TextField select label="Territoire" size="small" value={territoryId ?? ''} onChange={(e) => setTerritoryId(Number(e.target.value))} sx={{ width: 320 }}>
            {territories.map((x) => <MenuItem key={x.id} value={x.id}>{x.name}</MenuItem>)}
          </TextField>
        ) : null}
        <Card>
          <CardContent>
            <Typography variant="h6">Participation du passager</Typography>
            <Stack direction="row" spacing={2} sx={{ mt: 2, flexWrap: 'wrap', rowGap: 2 }}>
              <TextField select label="Kilomètres comptés" size="small" value={form.basis ?? 'passenger'} onChange={(e) => setForm((f) => ({ ...f, basis: e.target.value }))} sx={{ width: 300 }}>
                <MenuItem value="passenger">Ceux du passager (aller, et retour)</MenuItem>
                <MenuItem value="whole">Tout le trajet du bénévole, domicile → domicile</MenuItem>
              </TextField>
              {field('flatEur', 'Forfait', 'en euros')}
              {field('flatUpToKm', 'Forfait jusqu’à', 'kilomètres')}
              {field('perKmEur', 'Au-delà, par kilomètre', 'en euros par km')}
              {field('minimumEur', 'Minimum', 'en euros')}
              {field('waitFreeMin', 'Attente gratuite', 'minutes')}
              {field('waitPerHourEur', 'Puis par heure d’attente commencée', 'en euros')}
            </Stack>
          </CardContent>
        </Card>
        <Card>
          <CardContent>
            <Typography variant="h6">Indemnité kilométrique du bénévole</Typography>
            <Stack direction="row" spacing={2} sx={{ mt: 2 }}>
              {field('allowance', 'Par kilomètre, domicile → domicile', 'en euros par km (sur la distance routière réelle)', 'allowance.perKmEur')}
            </Stack>
          </CardContent>
        </Card>
        {draft && ok ? (
          <Alert severity="info" data-testid="cost-example">
            Exemple : 25 km pour le passager → participation {eur(example(draft, 25, 0))} ; avec 1 h 30 d’attente → {eur(example(draft, 25, 90))}.
            Pour un trajet de 60 km domicile → domicile, le bénévole reçoit une indemnité de {eur(Math.round(60 * draft.allowance.perKmEur * 100) / 100)}.
          </Alert>
        ) : null}
        <Box><Button variant="contained" onClick={save} disabled={!ok} data-testid="cost-save">Enregistrer le barème</Button></Box>
        <Typography variant="body2" color="text.secondary">Les trajets déjà acceptés gardent les montants calculés au moment de leur acceptation.</Typography>
      </Stack>
    </Box>
  );
}
