import {
  Alert, Box, Button, Card, CardContent, Checkbox, Chip, FormControlLabel, FormGroup, IconButton, MenuItem, Stack, Switch, TextField, Typography,
} from '@mui/material';
import DeleteIcon from '@mui/icons-material/Delete';
import { useCallback, useEffect, useState } from 'react';
import {
  BooleanField, BooleanInput, Datagrid, FunctionField, List, Loading, NumberField, TextField as RaTextField, TextInput, Title,
  useNotify, useRedirect, useTranslate,
} from 'react-admin';
import { useParams, useSearchParams } from 'react-router';
import { api, messageOf } from '../api.ts';
import { fieldErrors } from '../fieldReasons.ts';
import { decimal } from '../fr/format.ts';
import { FrDatePicker, FrTimePicker } from '../fr/pickers.tsx';
import { PlaceSearch, type ChosenPoint } from '../places/PlaceSearch.tsx';
import { PURPOSES } from '../resources/common.tsx';
import { AvailabilityGrid, type WeekSlot } from './AvailabilityGrid.tsx';
import { VolunteerStatement } from './VolunteerStatement.tsx';

interface Exception { dateFrom: string; dateTo: string; available: boolean; start: string | null; end: string | null; note: string | null }
interface Volunteer {
  id: number; personId: number; territoryId: number; home: { lng: number; lat: number }; homeLabel: string | null;
  maxKm: number | null; maxMinutes: number | null; seats: number; wheelchair: boolean; purposes: string[]; active: boolean;
  slots: WeekSlot[]; exceptions: (Exception & { id: number })[]; firstName?: string | null; lastName?: string | null; phone?: string | null;
}
interface Person { id: number; territoryId: number; firstName: string | null; lastName: string | null; communeName: string | null; address: string | null }

const DAY = ['', 'lun.', 'mar.', 'mer.', 'jeu.', 'ven.', 'sam.', 'dim.'];
const nameOf = (v: { firstName?: string | null; lastName?: string | null; id: number }) => `${v.firstName ?? ''} ${v.lastName ?? ''}`.trim() || `n° ${v.id}`;
/** "mar. 07:00–13:00, jeu. 14:00–18:00" */
export const weekSummary = (slots: WeekSlot[]) => slots.map((s) => `${DAY[s.weekday]} ${s.start}–${s.end}`).join(', ') || 'aucun créneau';
const limitOf = (v: Pick<Volunteer, 'maxKm' | 'maxMinutes'>) =>
  [v.maxKm !== null ? `${decimal(v.maxKm, 1)} km` : null, v.maxMinutes !== null ? `${v.maxMinutes} min` : null].filter(Boolean).join(' ou ');

const filters = [
  <TextInput key="q" source="q" label="Nom ou adresse" alwaysOn />,
  <BooleanInput key="active" source="active" label="Actifs" />,
  <BooleanInput key="wheelchair" source="wheelchair" label="Fauteuil roulant" />,
];

/** The volunteer drivers of the territory: their week, how far they go, their car. */
export function VolunteerList() {
  const t = useTranslate();
  return (
    <List filters={filters} sort={{ field: 'lastName', order: 'ASC' }} exporter={false} title="Bénévoles">
      <Datagrid rowClick="edit" bulkActionButtons={false}>
        <FunctionField label="Bénévole" render={(v: Volunteer) => nameOf(v)} sortBy="lastName" />
        <RaTextField source="homeLabel" label="Domicile" emptyText="—" />
        <FunctionField label="Disponibilités" render={(v: Volunteer) => weekSummary(v.slots)} />
        <FunctionField label="Jusqu’à" render={(v: Volunteer) => limitOf(v)} sortBy="maxKm" />
        <NumberField source="seats" label="Places" />
        <BooleanField source="wheelchair" label="Fauteuil" />
        <FunctionField label="Motifs" render={(v: Volunteer) => v.purposes.map((p) => t(`comobi.purposes.${p}`)).join(', ')} />
        <BooleanField source="active" label="Actif" />
      </Datagrid>
    </List>
  );
}

const REASON = 'console:volunteer';

/**
 * A volunteer driver: who (a person of the territory), home, how far, the car, the purposes, the week and its
 * exceptions; on an existing volunteer, the monthly statements. The API checks everything and names the fields.
 */
export function VolunteerForm({ mode }: { mode: 'create' | 'edit' }) {
  const t = useTranslate();
  const notify = useNotify();
  const redirect = useRedirect();
  const { id } = useParams();
  const [search] = useSearchParams();
  const [loaded, setLoaded] = useState(false);
  const [person, setPerson] = useState<Person | null>(null);
  const [personQuery, setPersonQuery] = useState('');
  const [candidates, setCandidates] = useState<Person[]>([]);
  const [home, setHome] = useState<ChosenPoint | null>(null);
  const [maxKm, setMaxKm] = useState('30');
  const [maxMinutes, setMaxMinutes] = useState('');
  const [seats, setSeats] = useState(3);
  const [wheelchair, setWheelchair] = useState(false);
  const [purposes, setPurposes] = useState<string[]>([...PURPOSES]);
  const [active, setActive] = useState(true);
  const [slots, setSlots] = useState<WeekSlot[]>([]);
  const [exceptions, setExceptions] = useState<Exception[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    (async () => {
      try {
        if (mode === 'edit') {
          const v = (await api<Volunteer>(`/api/volunteers/${id}`, { reason: REASON })).json;
          setPerson({ id: v.personId, territoryId: v.territoryId, firstName: v.firstName ?? null, lastName: v.lastName ?? null, communeName: null, address: null });
          setHome({ ...v.home, label: v.homeLabel ?? '', source: 'unknown' });
          setMaxKm(v.maxKm === null ? '' : String(v.maxKm));
          setMaxMinutes(v.maxMinutes === null ? '' : String(v.maxMinutes));
          setSeats(v.seats);
          setWheelchair(v.wheelchair);
          setPurposes(v.purposes);
          setActive(v.active);
          setSlots(v.slots);
          setExceptions(v.exceptions.map(({ id: _id, ...e }) => e));
        } else if (search.get('personId')) {
          setPerson((await api<Person>(`/api/people/${Number(search.get('personId'))}`, { reason: REASON })).json);
        }
      } catch (e: any) {
        notify(messageOf(e.body, e.status), { type: 'error' });
      } finally {
        setLoaded(true);
      }
    })();
  }, [mode, id]);

  useEffect(() => {
    if (person || personQuery.trim().length < 2) return setCandidates([]);
    const q = new URLSearchParams({ filter: JSON.stringify({ q: personQuery.trim() }), range: '[0,7]' });
    const timer = setTimeout(() => {
      api<Person[]>(`/api/people?${q}`, { reason: REASON }).then((r) => setCandidates(r.json)).catch(() => setCandidates([]));
    }, 250);
    return () => clearTimeout(timer);
  }, [personQuery, person]);

  const onSlots = useCallback((s: WeekSlot[]) => setSlots(s), []);

  const submit = async () => {
    setBusy(true);
    setErrors({});
    const body = {
      ...(mode === 'create' ? { personId: person?.id } : {}),
      home: home ? { lng: home.lng, lat: home.lat } : undefined,
      homeLabel: home?.label || null,
      maxKm: maxKm === '' ? null : Number(maxKm.replace(',', '.')),
      maxMinutes: maxMinutes === '' ? null : Number(maxMinutes),
      seats, wheelchair, purposes, active, slots,
      exceptions: exceptions.map((e) => ({ ...e, dateTo: e.dateTo || e.dateFrom, start: e.start || null, end: e.end || null, note: e.note || null })),
    };
    try {
      const r = await api<Volunteer>(mode === 'create' ? '/api/volunteers' : `/api/volunteers/${id}`, { method: mode === 'create' ? 'POST' : 'PUT', body });
      notify(mode === 'create' ? 'Bénévole enregistré' : 'Bénévole modifié', { type: 'success' });
      if (mode === 'create') redirect(`/volunteers/${r.json.id}`);
    } catch (e: any) {
      const fe = fieldErrors(e.body);
      setErrors(fe);
      notify(Object.keys(fe).length ? 'Le bénévole n’a pas été enregistré : corrigez les champs signalés' : messageOf(e.body, e.status), { type: 'error' });
    } finally {
      setBusy(false);
    }
  };

  if (!loaded) return <Loading />;
  const err = (k: string) => (errors[k] ? { error: true, helperText: errors[k] } : {});
  const exceptionError = Object.entries(errors).find(([k]) => k.startsWith('exceptions'))?.[1];
  const setException = (i: number, patch: Partial<Exception>) => setExceptions((xs) => xs.map((x, j) => (j === i ? { ...x, ...patch } : x)));

  return (
    <Box sx={{ p: 2, maxWidth: 1180 }}>
      <Title title={mode === 'create' ? 'Nouveau bénévole' : `Bénévole : ${person ? nameOf(person) : ''}`} />
      <Stack spacing={2}>
        <Card>
          <CardContent>
            <Typography variant="h6" gutterBottom>{mode === 'create' ? 'Nouveau conducteur bénévole' : `Conducteur bénévole : ${person ? nameOf(person) : ''}`}</Typography>
            {mode === 'create' ? (
              person ? (
                <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 2 }}>
                  <Chip label={`${nameOf(person)}${person.communeName ? ` · ${person.communeName}` : ''}`} onDelete={() => setPerson(null)} data-testid="volunteer-person" />
                </Stack>
              ) : (
                <Box sx={{ mb: 2 }}>
                  <TextField label="Personne (nom ou téléphone)" value={personQuery} onChange={(e) => setPersonQuery(e.target.value)} size="small" sx={{ width: 360 }}
                    {...err('personId')} slotProps={{ htmlInput: { 'data-testid': 'volunteer-person-search' } }} />
                  {candidates.map((c) => (
                    <Button key={c.id} size="small" onClick={() => { setPerson(c); if (!home && c.address) setHome(null); }} sx={{ ml: 1 }}>
                      {nameOf(c)}{c.communeName ? ` (${c.communeName})` : ''}
                    </Button>
                  ))}
                </Box>
              )
            ) : null}
            <Stack direction={{ xs: 'column', md: 'row' }} spacing={2} sx={{ alignItems: { md: 'flex-start' } }}>
              <Box sx={{ flex: 2 }}>
                <PlaceSearch testId="volunteer-home" label="Domicile : adresse, lieu, commune" territoryId={person?.territoryId ?? null} value={home} onChange={setHome}
                  error={Boolean(errors.home || errors['home.lng'])} />
                {home ? (
                  <TextField label="Libellé du domicile (départ et retour de chaque trajet)" value={home.label} size="small" sx={{ mt: 1, width: '100%' }}
                    onChange={(e) => setHome({ ...home, label: e.target.value })} slotProps={{ htmlInput: { 'data-testid': 'volunteer-home-label' } }} />
                ) : null}
                {errors.home ? <Typography variant="caption" color="error" sx={{ display: 'block' }}>{errors.home}</Typography> : null}
              </Box>
              <TextField label="Jusqu’à (km du domicile)" value={maxKm} onChange={(e) => setMaxKm(e.target.value)} size="small" sx={{ width: 190 }} {...err('maxKm')}
                slotProps={{ htmlInput: { inputMode: 'decimal', 'data-testid': 'volunteer-max-km' } }} />
              <TextField label="ou minutes de route" value={maxMinutes} onChange={(e) => setMaxMinutes(e.target.value)} size="small" sx={{ width: 190 }} {...err('maxMinutes')}
                slotProps={{ htmlInput: { inputMode: 'numeric' } }} />
            </Stack>
            <Stack direction="row" spacing={3} sx={{ mt: 2, alignItems: 'center', flexWrap: 'wrap' }}>
              <TextField select label="Places passagers" value={seats} onChange={(e) => setSeats(Number(e.target.value))} size="small" sx={{ width: 150 }}>
                {[1, 2, 3, 4, 5, 6, 7, 8].map((n) => <MenuItem key={n} value={n}>{n}</MenuItem>)}
              </TextField>
              <FormControlLabel control={<Checkbox checked={wheelchair} onChange={(e) => setWheelchair(e.target.checked)} />} label="Véhicule adapté au fauteuil roulant" />
              <FormControlLabel control={<Switch checked={active} onChange={(e) => setActive(e.target.checked)} />} label={active ? 'Actif' : 'Inactif (plus proposé)'} />
            </Stack>
            <Typography variant="subtitle2" sx={{ mt: 2 }}>Motifs acceptés</Typography>
            <FormGroup row>
              {PURPOSES.map((p) => (
                <FormControlLabel key={p} label={t(`comobi.purposes.${p}`)} control={
                  <Checkbox size="small" checked={purposes.includes(p)} onChange={(e) => setPurposes((ps) => (e.target.checked ? [...ps, p] : ps.filter((x) => x !== p)))} />
                } />
              ))}
            </FormGroup>
            {errors.purposes ? <Typography variant="caption" color="error">{errors.purposes}</Typography> : null}
          </CardContent>
        </Card>
        <Card>
          <CardContent>
            <Typography variant="h6">Disponibilités de la semaine</Typography>
            <Typography variant="body2" sx={{ mb: 1 }}>Le trajet entier, du départ du domicile au retour, doit tenir dans un créneau.</Typography>
            <AvailabilityGrid value={slots} onChange={onSlots} />
            {Object.entries(errors).filter(([k]) => k.startsWith('slots')).map(([k, v]) => <Alert key={k} severity="error" sx={{ mt: 1 }}>{v}</Alert>)}
          </CardContent>
        </Card>
        <Card>
          <CardContent>
            <Typography variant="h6">Exceptions : congés, jours sans, jours en plus</Typography>
            {exceptions.length === 0 ? <Typography variant="body2" color="text.secondary">Aucune exception.</Typography> : null}
            <Stack spacing={1.5} sx={{ mt: 1 }}>
              {exceptions.map((x, i) => (
                <Stack key={i} direction="row" spacing={1.5} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }} data-testid={`exception-${i}`}>
                  <TextField select size="small" value={x.available ? 'yes' : 'no'} onChange={(e) => setException(i, { available: e.target.value === 'yes' })} sx={{ width: 170 }} label="Type">
                    <MenuItem value="no">Indisponible</MenuItem>
                    <MenuItem value="yes">Disponible en plus</MenuItem>
                  </TextField>
                  <FrDatePicker label="Du" value={x.dateFrom} onChange={(v) => setException(i, { dateFrom: v })} />
                  <FrDatePicker label="Au" value={x.dateTo} onChange={(v) => setException(i, { dateTo: v })} />
                  <FrTimePicker label="De (facultatif)" value={x.start ?? ''} onChange={(v) => setException(i, { start: v || null })} />
                  <FrTimePicker label="À" value={x.end ?? ''} onChange={(v) => setException(i, { end: v || null })} />
                  <TextField size="small" label="Note" value={x.note ?? ''} onChange={(e) => setException(i, { note: e.target.value })} sx={{ width: 180 }} />
                  <IconButton aria-label="Supprimer l’exception" onClick={() => setExceptions((xs) => xs.filter((_, j) => j !== i))}><DeleteIcon /></IconButton>
                </Stack>
              ))}
            </Stack>
            {exceptionError ? <Alert severity="error" sx={{ mt: 1 }}>{exceptionError}</Alert> : null}
            <Button sx={{ mt: 1 }} onClick={() => setExceptions((xs) => [...xs, { dateFrom: '', dateTo: '', available: false, start: null, end: null, note: null }])}>
              Ajouter une exception
            </Button>
          </CardContent>
        </Card>
        <Box>
          <Button variant="contained" disabled={busy} onClick={submit} data-testid="volunteer-save">Enregistrer</Button>
        </Box>
        {mode === 'edit' && id ? <VolunteerStatement volunteerId={Number(id)} /> : null}
      </Stack>
    </Box>
  );
}

export const VolunteerCreate = () => <VolunteerForm mode="create" />;
export const VolunteerEdit = () => <VolunteerForm mode="edit" />;
