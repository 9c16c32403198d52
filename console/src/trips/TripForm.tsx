import {
  Alert, Autocomplete, Box, Button, Card, CardContent, Checkbox, FormControlLabel, FormHelperText, Stack, TextField, ToggleButton,
  ToggleButtonGroup, Typography,
} from '@mui/material';
import { useEffect, useState } from 'react';
import { Loading, Title, useNotify, useRedirect, useRefresh, useTranslate } from 'react-admin';
import { GeoJSON } from 'react-leaflet';
import { useParams, useSearchParams } from 'react-router';
import { api, messageOf } from '../api.ts';
import { fieldErrors } from '../fieldReasons.ts';
import { BaseMap } from '../map/BaseMap.tsx';
import { EndMarkers } from '../map/EndMarkers.tsx';
import { PlaceSearch, PointPrecision, type ChosenPoint, type PointSource } from '../places/PlaceSearch.tsx';
import { FrDatePicker, FrTimePicker } from '../fr/pickers.tsx';
import { WeekdayToggles } from '../fr/WeekdayToggles.tsx';

interface Driver { id: number; firstName: string | null; lastName: string | null; communeName: string | null; territoryId: number }
type End = ChosenPoint;
interface Trip {
  id: number; territoryId: number; driverId: number; kind: 'regular' | 'oneoff'; weekdays: number[]; date: string | null;
  validFrom: string | null; validTo: string | null; departureTime: string; returnTime: string | null;
  origin: { lng: number; lat: number }; destination: { lng: number; lat: number }; originLabel: string | null; destinationLabel: string | null;
  originSource: PointSource; destinationSource: PointSource;
  seats: number; active: boolean; route?: GeoJSON.LineString; returnRoute?: GeoJSON.LineString | null;
}

const REASON = 'console:trip-form';
const driverName = (d: Driver) => `${d.firstName ?? ''} ${d.lastName ?? ''}`.trim() || `n° ${d.id}`;

/** Drivers found by name or phone as the coordinator types (people reads are audited with the screen as reason). */
function DriverPicker({ value, onChange, error }: { value: Driver | null; onChange: (d: Driver | null) => void; error?: string }) {
  const [input, setInput] = useState('');
  const [options, setOptions] = useState<Driver[]>([]);
  useEffect(() => {
    let live = true;
    const q = new URLSearchParams({ filter: JSON.stringify({ isDriver: true, ...(input.trim().length >= 2 ? { q: input.trim() } : {}) }), range: '[0,19]', sort: '["lastName","ASC"]' });
    const t = setTimeout(() => {
      api<Driver[]>(`/api/people?${q}`, { reason: REASON }).then((r) => live && setOptions(r.json)).catch(() => live && setOptions([]));
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [input]);
  return (
    <Autocomplete
      sx={{ width: 360 }}
      options={value && !options.some((o) => o.id === value.id) ? [value, ...options] : options}
      value={value}
      filterOptions={(x) => x}
      isOptionEqualToValue={(a, b) => a.id === b.id}
      getOptionLabel={(d) => `${driverName(d)}${d.communeName ? ` (${d.communeName})` : ''}`}
      onInputChange={(_, v) => setInput(v)}
      onChange={(_, d) => onChange(d)}
      noOptionsText="Aucun conducteur"
      renderInput={(params) => (
        <TextField {...params} label="Conducteur" error={Boolean(error)} helperText={error}
          slotProps={{ ...params.slotProps, htmlInput: { ...params.slotProps.htmlInput, 'data-testid': 'trip-driver' } }} />
      )}
    />
  );
}

/**
 * Create (/trips/create, ?driverId= to start from a driver) and edit (/trips/:id) a driver's trip: the API routes it
 * and answers 400 naming the fields, whose reasons are shown in French on the inputs.
 */
export function TripForm({ mode }: { mode: 'create' | 'edit' }) {
  const t = useTranslate();
  const notify = useNotify();
  const redirect = useRedirect();
  const refresh = useRefresh();
  const { id } = useParams();
  const [search] = useSearchParams();
  const [loaded, setLoaded] = useState(mode === 'create');
  const [existing, setExisting] = useState<Trip | null>(null);
  const [driver, setDriver] = useState<Driver | null>(null);
  const [kind, setKind] = useState<'regular' | 'oneoff'>('regular');
  // No day chosen to start with: the coordinator clicks the driver's days (see WeekdayToggles).
  const [weekdays, setWeekdays] = useState<number[]>([]);
  const [date, setDate] = useState('');
  const [validFrom, setValidFrom] = useState('');
  const [validTo, setValidTo] = useState('');
  const [departureTime, setDeparture] = useState('07:30');
  const [returnTime, setReturn] = useState('');
  const [from, setFrom] = useState<End | null>(null);
  const [to, setTo] = useState<End | null>(null);
  const [seats, setSeats] = useState(3);
  const [active, setActive] = useState(true);
  const [picking, setPicking] = useState<'from' | 'to'>('from');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const load = async () => {
      try {
        if (mode === 'edit') {
          const tr = (await api<Trip>(`/api/trips/${id}`)).json;
          setExisting(tr);
          setKind(tr.kind);
          setWeekdays(tr.weekdays);
          setDate(tr.date ?? '');
          setValidFrom(tr.validFrom ?? '');
          setValidTo(tr.validTo ?? '');
          setDeparture(tr.departureTime);
          setReturn(tr.returnTime ?? '');
          setFrom({ ...tr.origin, label: tr.originLabel ?? '', source: tr.originSource });
          setTo({ ...tr.destination, label: tr.destinationLabel ?? '', source: tr.destinationSource });
          setSeats(tr.seats);
          setActive(tr.active);
          setDriver((await api<Driver>(`/api/people/${tr.driverId}`, { reason: REASON })).json);
        } else if (search.get('driverId')) {
          setDriver((await api<Driver>(`/api/people/${Number(search.get('driverId'))}`, { reason: REASON })).json);
        }
      } catch (e: any) {
        notify(messageOf(e.body, e.status), { type: 'error' });
      } finally {
        setLoaded(true);
      }
    };
    void load();
  }, [mode, id, search, notify]);

  const submit = async () => {
    setBusy(true);
    setErrors({});
    const body = {
      ...(mode === 'create' && driver ? { territoryId: driver.territoryId } : {}),
      driverId: driver?.id, kind, weekdays: kind === 'regular' ? weekdays : [], date: kind === 'oneoff' ? date || null : null,
      validFrom: validFrom || null, validTo: validTo || null, departureTime, returnTime: kind === 'regular' && returnTime ? returnTime : null,
      origin: from ? { lng: from.lng, lat: from.lat } : undefined, destination: to ? { lng: to.lng, lat: to.lat } : undefined,
      originLabel: from?.label || null, destinationLabel: to?.label || null, originSource: from?.source, destinationSource: to?.source, seats, active,
    };
    try {
      const r = await api<Trip>(mode === 'create' ? '/api/trips' : `/api/trips/${id}`, { method: mode === 'create' ? 'POST' : 'PUT', body });
      notify(mode === 'create' ? `Trajet n° ${r.json.id} enregistré` : 'Trajet modifié', { type: 'success' });
      redirect(`/trips/${r.json.id}/show`);
      refresh();
    } catch (e: any) {
      const fe = fieldErrors(e.body);
      setErrors(fe);
      notify(Object.keys(fe).length ? 'Le trajet n’a pas été enregistré : corrigez les champs signalés' : messageOf(e.body, e.status), { type: 'error' });
    } finally {
      setBusy(false);
    }
  };

  if (!loaded) return <Loading />;
  const err = (k: string) => (errors[k] ? { error: true, helperText: errors[k] } : {});
  // The saved route is shown while the ends are those it was computed for.
  const sameEnds = existing && from && to && from.lng === existing.origin.lng && from.lat === existing.origin.lat
    && to.lng === existing.destination.lng && to.lat === existing.destination.lat;

  const endPicker = (which: 'from' | 'to', value: End | null, set: (e: End | null) => void) => (
    <Stack spacing={1}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
        <PlaceSearch testId={`${which}-place`} label={which === 'from' ? 'Départ : adresse, lieu, commune' : 'Arrivée : adresse, lieu, commune'}
          territoryId={driver?.territoryId ?? null} value={value} onChange={set} error={Boolean(errors[which === 'from' ? 'origin' : 'destination'])} />
        <Button variant={picking === which ? 'contained' : 'outlined'} onClick={() => setPicking(which)}>Sur la carte</Button>
      </Stack>
      {value ? (
        <TextField label={which === 'from' ? 'Libellé du départ' : 'Libellé de l’arrivée'} value={value.label} size="small"
          onChange={(e) => set({ ...value, label: e.target.value })}
          {...err(which === 'from' ? 'originLabel' : 'destinationLabel')} slotProps={{ htmlInput: { 'data-testid': `${which}-label` } }} />
      ) : null}
      <PointPrecision value={value} testId={`${which}-precision`} />
      {errors[which === 'from' ? 'origin' : 'destination'] ? (
        <FormHelperText error data-testid={`${which}-error`}>{errors[which === 'from' ? 'origin' : 'destination']}</FormHelperText>
      ) : null}
    </Stack>
  );

  return (
    <Box sx={{ p: 2 }}>
      <Title title={mode === 'create' ? 'Ajouter un trajet' : `Modifier le trajet n° ${id}`} />
      <Stack direction={{ xs: 'column', lg: 'row' }} spacing={2}>
        <Card sx={{ flex: 1 }}>
          <CardContent>
            <Stack spacing={2}>
              <Typography variant="h6">{mode === 'create' ? 'Nouveau trajet' : `Trajet n° ${id}`}</Typography>
              {mode === 'create' ? <DriverPicker value={driver} onChange={setDriver} error={errors.driverId} /> : (
                <Typography>Conducteur : <strong>{driver ? driverName(driver) : '…'}</strong></Typography>
              )}
              {mode === 'edit' && errors.driverId ? <Alert severity="error">{errors.driverId}</Alert> : null}
              <ToggleButtonGroup exclusive size="small" value={kind} onChange={(_, v) => v && setKind(v)}>
                <ToggleButton value="regular" data-testid="kind-regular">Régulier (chaque semaine)</ToggleButton>
                <ToggleButton value="oneoff" data-testid="kind-oneoff">Ponctuel (une date)</ToggleButton>
              </ToggleButtonGroup>
              {kind === 'regular' ? (
                <Stack spacing={0.5}>
                  <WeekdayToggles value={weekdays} onChange={setWeekdays} />
                  {errors.weekdays ? <FormHelperText error data-testid="weekdays-error">{errors.weekdays}</FormHelperText> : null}
                </Stack>
              ) : (
                <FrDatePicker label="Date" value={date} onChange={setDate} error={errors.date} testId="trip-date" />
              )}
              <Stack direction="row" spacing={1}>
                <FrTimePicker label="Heure de départ" value={departureTime} onChange={setDeparture} error={errors.departureTime} testId="departure-time" />
                {kind === 'regular' ? (
                  <FrTimePicker label="Heure de retour (facultatif)" value={returnTime} onChange={setReturn} error={errors.returnTime} testId="return-time" width={220} />
                ) : null}
                <TextField type="number" label="Places" value={seats} onChange={(e) => setSeats(Number(e.target.value))} sx={{ width: 100 }} {...err('seats')}
                  slotProps={{ htmlInput: { min: 1, max: 8, 'data-testid': 'seats' } }} />
              </Stack>
              {kind === 'regular' ? (
                <Stack direction="row" spacing={1}>
                  <FrDatePicker label="Valide du (facultatif)" value={validFrom} onChange={setValidFrom} error={errors.validFrom} testId="valid-from" width={220} />
                  <FrDatePicker label="au (facultatif)" value={validTo} onChange={setValidTo} error={errors.validTo} testId="valid-to" width={220} />
                </Stack>
              ) : null}
              {endPicker('from', from, setFrom)}
              {endPicker('to', to, setTo)}
              {mode === 'edit' ? <FormControlLabel label="Actif" control={<Checkbox checked={active} onChange={(e) => setActive(e.target.checked)} />} /> : null}
              <Box>
                <Button variant="contained" size="large" onClick={submit} disabled={busy} data-testid="submit-trip">
                  {busy ? 'Calcul de l’itinéraire…' : 'Enregistrer le trajet'}
                </Button>
              </Box>
            </Stack>
          </CardContent>
        </Card>
        <Box sx={{ flex: 1, minWidth: 360 }}>
          <Typography variant="body2" sx={{ mb: 1 }}>
            Cliquez sur la carte pour placer le {picking === 'from' ? 'départ' : 'point d’arrivée'}.
          </Typography>
          <BaseMap territoryId={driver?.territoryId ?? null} height={560}
            fit={existing ? [[existing.origin.lng, existing.origin.lat], [existing.destination.lng, existing.destination.lat]] : undefined}
            onClick={(lng, lat) => {
              const label = (picking === 'from' ? from?.label : to?.label) || 'Point choisi sur la carte';
              if (picking === 'from') { setFrom({ lng, lat, label, source: 'map_click' }); setPicking('to'); } else setTo({ lng, lat, label, source: 'map_click' });
            }}>
            {sameEnds && existing?.route ? <GeoJSON key={`r${existing.id}`} data={existing.route} style={{ color: '#1565c0', weight: 4 }} /> : null}
            <EndMarkers from={from} to={to} />
          </BaseMap>
        </Box>
      </Stack>
    </Box>
  );
}

export const TripCreate = () => <TripForm mode="create" />;
export const TripEdit = () => <TripForm mode="edit" />;
