import { Alert, Autocomplete, Box, TextField, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { api } from '../api.ts';

/** Where a stored point came from (the API's fromSource, originSource…). */
export type PointSource = 'address' | 'place' | 'commune_centre' | 'map_click' | 'unknown';
/** A chosen end: its point, the label kept with it, and its source. */
export interface ChosenPoint { lng: number; lat: number; label: string; source: PointSource }

interface Suggestion {
  label: string; lng: number; lat: number; kind: 'address' | 'place' | 'commune' | 'stop' | 'carpool_area' | 'usual';
  source: 'ban' | 'gazetteer'; pointSource: PointSource; insee: string | null;
}

const KIND_TEXT: Record<Suggestion['kind'], string> = {
  address: 'Adresse',
  place: 'Lieu enregistré',
  commune: 'Commune (centre, approximatif)',
  stop: 'Arrêt de transport',
  carpool_area: 'Aire de covoiturage',
  usual: 'Lieu habituel de la personne',
};
/** Typing pauses this long before the search is asked. */
const DEBOUNCE_MS = 250;

/**
 * An address field: the territory's gazetteer (communes, named places, stops, carpool areas) and, when configured,
 * the national address base, as the coordinator types. The API ranks; the field shows its order.
 */
export function PlaceSearch({ testId, label, territoryId, personId, value, onChange, error, width }: {
  testId: string;
  label: string;
  territoryId: number | null;
  /** The person the trip is for: their usual places (ends of their past requests) come first. */
  personId?: number | null;
  value: ChosenPoint | null;
  onChange: (p: ChosenPoint | null) => void;
  error?: boolean;
  /** Without one, the field takes the room its row leaves. */
  width?: number;
}) {
  const [input, setInput] = useState('');
  const [options, setOptions] = useState<Suggestion[]>([]);
  const [loading, setLoading] = useState(false);
  const [chosen, setChosen] = useState<Suggestion | null>(null);

  // A value set from outside (a resumed request, a map click) shows in the field as if it had been chosen.
  useEffect(() => {
    if (!value || (chosen && chosen.label === value.label && chosen.lng === value.lng && chosen.lat === value.lat)) return;
    setChosen({ label: value.label, lng: value.lng, lat: value.lat, kind: 'place', source: 'gazetteer', pointSource: value.source, insee: null });
    setInput(value.label);
  }, [value?.label, value?.lng, value?.lat]);

  useEffect(() => {
    const q = input.trim();
    if (q.length < 2 || (chosen && chosen.label === input)) {
      setOptions(chosen && chosen.label === input ? [chosen] : []);
      return;
    }
    let live = true;
    setLoading(true);
    const t = setTimeout(() => {
      const params = new URLSearchParams({
        q, limit: '8', ...(territoryId ? { territoryId: String(territoryId) } : {}), ...(personId ? { personId: String(personId) } : {}),
      });
      api<{ suggestions: Suggestion[] }>(`/api/places/search?${params}`)
        .then((r) => live && setOptions(r.json.suggestions))
        .catch(() => live && setOptions([]))
        .finally(() => live && setLoading(false));
    }, DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [input, territoryId, personId, chosen]);

  return (
    <Autocomplete
      sx={width ? { width } : { flex: 1, minWidth: 220 }}
      options={options}
      value={chosen}
      loading={loading}
      // The API ranks and filters (accents, prefixes); the field must not filter again.
      filterOptions={(x) => x}
      isOptionEqualToValue={(a, b) => a.label === b.label && a.lng === b.lng && a.lat === b.lat}
      getOptionLabel={(o) => o.label}
      onInputChange={(_, v) => setInput(v)}
      onChange={(_, o) => {
        setChosen(o);
        onChange(o ? { lng: o.lng, lat: o.lat, label: o.label, source: o.pointSource } : null);
      }}
      noOptionsText={input.trim().length < 2 ? 'Tapez au moins deux lettres' : loading ? 'Recherche…' : 'Aucun lieu trouvé'}
      loadingText="Recherche…"
      renderOption={({ key, ...props }, o) => (
        <li key={key} {...props} data-kind={o.kind}>
          <Box>
            <Typography variant="body2">{o.label}</Typography>
            <Typography variant="caption" color="text.secondary">{KIND_TEXT[o.kind]}</Typography>
          </Box>
        </li>
      )}
      renderInput={(params) => (
        <TextField {...params} label={label} error={error} placeholder={value ? value.label : 'Adresse, lieu, commune…'}
          slotProps={{ ...params.slotProps, htmlInput: { ...params.slotProps.htmlInput, 'data-testid': testId } }} />
      )}
    />
  );
}

/** Says when a point is approximate (a commune's centre) and how to place it exactly. */
export function PointPrecision({ value, testId }: { value: ChosenPoint | null; testId: string }) {
  if (!value) return null;
  if (value.source === 'commune_centre' || value.source === 'unknown')
    return (
      <Alert severity="warning" data-testid={testId} sx={{ py: 0 }}>
        {value.source === 'commune_centre' ? 'Point approximatif : centre de la commune.' : 'Origine du point inconnue.'} Cliquez « Sur la carte » puis à l’endroit exact pour le placer.
      </Alert>
    );
  return (
    <Typography variant="caption" color="text.secondary" data-testid={testId}>
      {value.source === 'address' ? 'Adresse exacte' : value.source === 'place' ? 'Lieu enregistré' : 'Placé sur la carte'}
    </Typography>
  );
}

/** After a stored label: says when its point is only a commune's centre. */
export const approximateNote = (source: PointSource | undefined) =>
  source === 'commune_centre' ? ' (approximatif : centre de la commune)' : '';
