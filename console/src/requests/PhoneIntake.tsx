import {
  Alert, Box, Button, Card, CardContent, Checkbox, FormControlLabel, FormGroup, MenuItem, Radio, RadioGroup,
  Stack, TextField, ToggleButton, ToggleButtonGroup, Typography,
} from '@mui/material';
import { useState } from 'react';
import { Title, useNotify, useRedirect, useTranslate } from 'react-admin';
import { api, messageOf } from '../api.ts';
import { currentUser } from '../authProvider.ts';
import { BaseMap } from '../map/BaseMap.tsx';
import { EndMarkers } from '../map/EndMarkers.tsx';
import { PlaceSearch, PointPrecision, type ChosenPoint } from '../places/PlaceSearch.tsx';
import { FrDatePicker, FrTimePicker } from '../fr/pickers.tsx';
import { WeekdayToggles } from '../fr/WeekdayToggles.tsx';
import { NO_RETURN, ReturnSection, returnBody, returnValueOf, type ReturnValue } from './ReturnSection.tsx';
import { endOf, ResumeNotice, useResume } from '../timeline/Resume.tsx';

const PURPOSES = ['health', 'work', 'training', 'shopping', 'admin', 'leisure', 'other'];
const NEEDS = ['wheelchair', 'reduced_mobility', 'visual', 'hearing', 'assistance_dog', 'child_seat', 'luggage'];

interface Person { id: number; firstName: string | null; lastName: string | null; phone: string | null; communeName: string | null; isPassenger: boolean; isDriver: boolean; territoryId: number }
type End = ChosenPoint;

const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
const REASON = 'call:intake';

/**
 * One screen for someone who phones: find them by phone number or name (or create them, never twice), their trip,
 * then straight to the proposals.
 */
export function PhoneIntake() {
  const t = useTranslate();
  const notify = useNotify();
  const redirect = useRedirect();
  const me = currentUser();
  const [territoryId, setTerritoryId] = useState<number | ''>(me?.territories.length === 1 ? me.territories[0].id : '');
  const [search, setSearch] = useState('');
  const [found, setFound] = useState<Person[] | null>(null);
  const [person, setPerson] = useState<Person | null>(null);
  const [newPerson, setNewPerson] = useState({ firstName: '', lastName: '' });
  const [from, setFrom] = useState<End | null>(null);
  const [to, setTo] = useState<End | null>(null);
  const [picking, setPicking] = useState<'from' | 'to'>('from');
  const [mode, setMode] = useState<'date' | 'weekdays'>('date');
  const [date, setDate] = useState(tomorrow());
  const [weekdays, setWeekdays] = useState<number[]>([]);
  const [time, setTime] = useState('09:00');
  const [timeKind, setTimeKind] = useState<'depart' | 'arrive'>('arrive');
  const [toleranceMin, setTolerance] = useState(30);
  const [purpose, setPurpose] = useState('health');
  const [back, setBack] = useState<ReturnValue>(NO_RETURN);
  const [needs, setNeeds] = useState<string[]>([]);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const isPhone = /^[+0-9 .-]{6,}$/.test(search.trim());
  // "Reprendre ce trajet": the same person, places, time and needs; the date is left to choose.
  const resumed = useResume(REASON, (r, who) => {
    setTerritoryId(r.territoryId); setSearch(who?.phone ?? ''); setFound(who ? [who] : null); setPerson(who);
    setFrom(endOf(r.from, r.fromLabel, r.fromSource, 'Départ')); setTo(endOf(r.to, r.toLabel, r.toSource, 'Arrivée'));
    setMode(r.date ? 'date' : 'weekdays'); setDate(''); setWeekdays(r.weekdays); setTime(r.time); setTimeKind(r.timeKind);
    setTolerance(r.toleranceMin); setPurpose(r.purpose); setNeeds(r.needs); setBack(returnValueOf(r));
  });

  const find = async () => {
    const filter = isPhone ? { phone: search.trim() } : { q: search.trim() };
    const q = new URLSearchParams({ filter: JSON.stringify({ ...filter, ...(territoryId ? { territoryId } : {}) }), range: '[0,9]' });
    try {
      const r = await api<Person[]>(`/api/people?${q}`, { reason: REASON });
      setFound(r.json);
      setPerson(r.json.length === 1 ? r.json[0] : null);
    } catch (e: any) {
      notify(messageOf(e.body, e.status), { type: 'error' });
    }
  };

  const create = async (): Promise<Person | null> => {
    try {
      const r = await api<Person>('/api/people', {
        method: 'POST',
        reason: REASON,
        body: { territoryId: territoryId || undefined, isPassenger: true, phone: search.trim(), firstName: newPerson.firstName || null, lastName: newPerson.lastName || null },
      });
      return r.json;
    } catch (e: any) {
      // Someone with this number exists already: use them rather than make a duplicate.
      if (e.status === 409 && e.body?.existingId) return (await api<Person>(`/api/people/${e.body.existingId}`, { reason: REASON })).json;
      notify(messageOf(e.body, e.status), { type: 'error' });
      return null;
    }
  };

  const submit = async () => {
    if (!from || !to) return notify('Indiquez le départ et l’arrivée', { type: 'warning' });
    setBusy(true);
    try {
      let who = person;
      if (!who && isPhone) who = await create();
      if (!who) return notify('Choisissez ou créez la personne qui appelle', { type: 'warning' });
      if (!who.isPassenger) await api(`/api/people/${who.id}`, { method: 'PUT', body: { isPassenger: true }, reason: REASON });
      const r = await api<{ id: number; proposals: unknown[] }>('/api/requests', {
        method: 'POST',
        body: {
          territoryId: territoryId || who.territoryId, passengerId: who.id, from: { lng: from.lng, lat: from.lat }, to: { lng: to.lng, lat: to.lat },
          fromLabel: from.label, toLabel: to.label, fromSource: from.source, toSource: to.source, ...(mode === 'date' ? { date } : { weekdays }), time, timeKind, toleranceMin,
          purpose, needs, note: note || null, ...returnBody(back),
        },
      });
      notify(`Demande n° ${r.json.id} enregistrée : ${r.json.proposals.length} proposition${r.json.proposals.length > 1 ? 's' : ''}${back.kind === 'none' ? '' : ', aller et retour'}`, { type: 'success' });
      redirect(`/requests/${r.json.id}/show`);
    } catch (e: any) {
      notify(messageOf(e.body, e.status), { type: 'error' });
    } finally {
      setBusy(false);
    }
  };

  const endPicker = (which: 'from' | 'to', value: End | null, set: (e: End | null) => void) => (
    <Stack spacing={1}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
        <PlaceSearch testId={`${which}-place`} label={which === 'from' ? 'Départ : adresse, lieu, commune' : 'Arrivée : adresse, lieu, commune'}
          territoryId={territoryId || person?.territoryId || null} personId={person?.id ?? null} value={value} onChange={set} />
        <Button variant={picking === which ? 'contained' : 'outlined'} onClick={() => setPicking(which)}>Sur la carte</Button>
      </Stack>
      {value ? (
        <TextField
          label={which === 'from' ? 'Libellé du départ' : 'Libellé de l’arrivée'}
          value={value.label}
          onChange={(e) => set({ ...value, label: e.target.value })}
          size="small"
          slotProps={{ htmlInput: { 'data-testid': `${which}-label` } }}
        />
      ) : null}
      <PointPrecision value={value} testId={`${which}-precision`} />
    </Stack>
  );

  return (
    <Box sx={{ p: 2 }}>
      <Title title="Appel entrant" />
      <Stack direction={{ xs: 'column', lg: 'row' }} spacing={2}>
        <Card sx={{ flex: 1, minWidth: 0 }}>
          <CardContent>
            <Stack spacing={2}>
              <ResumeNotice requestId={resumed} />
              <Typography variant="h6">1. Qui appelle ?</Typography>
              {me && (me.role === 'admin' || me.territories.length > 1) ? (
                <TextField select label="Territoire" value={territoryId} onChange={(e) => setTerritoryId(Number(e.target.value))} sx={{ width: 260 }}>
                  {me.territories.map((x) => <MenuItem key={x.id} value={x.id}>{x.name}</MenuItem>)}
                </TextField>
              ) : null}
              <Stack direction="row" spacing={1}>
                <TextField label="Téléphone ou nom" value={search} onChange={(e) => { setSearch(e.target.value); setFound(null); setPerson(null); }}
                  onKeyDown={(e) => e.key === 'Enter' && find()} slotProps={{ htmlInput: { 'data-testid': 'caller-search' } }} sx={{ width: 260 }} />
                <Button variant="outlined" onClick={find} disabled={search.trim().length < 2}>Rechercher</Button>
              </Stack>
              {found && found.length > 0 ? (
                <RadioGroup value={person?.id ?? ''} onChange={(e) => setPerson(found.find((p) => p.id === Number(e.target.value)) ?? null)}>
                  {found.map((p) => (
                    <FormControlLabel key={p.id} value={p.id} control={<Radio />}
                      label={`${p.firstName ?? ''} ${p.lastName ?? ''} · ${p.phone ?? 'sans téléphone'} · ${p.communeName ?? 'commune inconnue'}${p.isPassenger ? '' : ' (conducteur)'}`} />
                  ))}
                </RadioGroup>
              ) : null}
              {found && found.length === 0 ? (
                isPhone ? (
                  <Stack spacing={1}>
                    <Alert severity="info">Aucune personne avec ce numéro : elle sera créée avec la demande.</Alert>
                    <Stack direction="row" spacing={1}>
                      <TextField label="Prénom" value={newPerson.firstName} onChange={(e) => setNewPerson({ ...newPerson, firstName: e.target.value })} slotProps={{ htmlInput: { 'data-testid': 'new-first-name' } }} />
                      <TextField label="Nom" value={newPerson.lastName} onChange={(e) => setNewPerson({ ...newPerson, lastName: e.target.value })} slotProps={{ htmlInput: { 'data-testid': 'new-last-name' } }} />
                    </Stack>
                  </Stack>
                ) : <Alert severity="warning">Personne trouvée à ce nom : recherchez par numéro de téléphone pour la créer.</Alert>
              ) : null}

              <Typography variant="h6">2. Le trajet</Typography>
              {endPicker('from', from, setFrom)}
              {endPicker('to', to, setTo)}
              <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                <ToggleButtonGroup exclusive size="small" value={mode} onChange={(_, v) => v && setMode(v)}>
                  <ToggleButton value="date">Une date</ToggleButton>
                  <ToggleButton value="weekdays">Chaque semaine</ToggleButton>
                </ToggleButtonGroup>
                {mode === 'date' ? (
                  <FrDatePicker label="Date" value={date} onChange={setDate} testId="date" />
                ) : (
                  <WeekdayToggles value={weekdays} onChange={setWeekdays} />
                )}
              </Stack>
              {/* Wraps rather than widening the page at 1280 px. */}
              <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap' }}>
                <TextField select label="Heure de" value={timeKind} onChange={(e) => setTimeKind(e.target.value as 'depart' | 'arrive')} sx={{ width: 150 }}>
                  <MenuItem value="depart">départ</MenuItem>
                  <MenuItem value="arrive">arrivée</MenuItem>
                </TextField>
                <FrTimePicker label="Heure" value={time} onChange={setTime} testId="time" />
                <TextField type="number" label="Tolérance (min)" value={toleranceMin} onChange={(e) => setTolerance(Number(e.target.value))} sx={{ width: 140 }} />
                <TextField select label="Motif" value={purpose} onChange={(e) => setPurpose(e.target.value)} sx={{ width: 160 }}>
                  {PURPOSES.map((p) => <MenuItem key={p} value={p}>{t(`comobi.purposes.${p}`)}</MenuItem>)}
                </TextField>
              </Stack>
              <ReturnSection value={back} onChange={setBack} />
              <FormGroup row>
                {NEEDS.map((n) => (
                  <FormControlLabel key={n} label={t(`comobi.needs.${n}`)} control={
                    <Checkbox checked={needs.includes(n)} onChange={(e) => setNeeds(e.target.checked ? [...needs, n] : needs.filter((x) => x !== n))} />} />
                ))}
              </FormGroup>
              <TextField label="Note (visible des coordinateurs)" value={note} onChange={(e) => setNote(e.target.value)} multiline minRows={2} />
              <Box>
                <Button variant="contained" size="large" onClick={submit} disabled={busy} data-testid="submit-request">
                  Enregistrer et chercher un conducteur
                </Button>
              </Box>
            </Stack>
          </CardContent>
        </Card>
        <Box sx={{ flex: 1, minWidth: 360 }}>
          <Typography variant="body2" sx={{ mb: 1 }}>
            Cliquez sur la carte pour placer le {picking === 'from' ? 'départ' : 'point d’arrivée'}.
          </Typography>
          <BaseMap territoryId={territoryId || null} height={560} onClick={(lng, lat) => {
            const end = { lng, lat, label: picking === 'from' ? from?.label ?? 'Point choisi sur la carte' : to?.label ?? 'Point choisi sur la carte', source: 'map_click' as const };
            if (picking === 'from') { setFrom(end); setPicking('to'); } else setTo(end);
          }}>
            <EndMarkers from={from} to={to} />
          </BaseMap>
        </Box>
      </Stack>
    </Box>
  );
}
