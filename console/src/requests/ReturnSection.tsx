import { MenuItem, Stack, TextField, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import { FrTimePicker } from '../fr/pickers.tsx';
import { waitLabel } from './return-text.ts';

/** The way back of a request as the forms hold it: none, at a time, or about some minutes after arrival. */
export interface ReturnValue {
  kind: 'none' | 'time' | 'after';
  time: string;
  afterMin: number;
}

export const NO_RETURN: ReturnValue = { kind: 'none', time: '17:00', afterMin: 120 };

/** The waits a coordinator picks from (the API takes any number of minutes from 10 to 720). */
export const WAITS = [30, 45, 60, 90, 120, 150, 180, 240, 300, 360, 420, 480, 540, 600];

/** A past request's way back, for "Reprendre ce trajet" (the same return, on the new date). */
export function returnValueOf(past: object): ReturnValue {
  const r = past as { returnTime?: string | null; returnAfterMin?: number | null };
  if (r.returnTime) return { ...NO_RETURN, kind: 'time', time: r.returnTime };
  if (r.returnAfterMin) return { ...NO_RETURN, kind: 'after', afterMin: WAITS.includes(r.returnAfterMin) ? r.returnAfterMin : nearestWait(r.returnAfterMin) };
  return NO_RETURN;
}
/** The API takes any wait; the picker offers a few: the closest one. */
const nearestWait = (min: number) => WAITS.reduce((a, b) => (Math.abs(b - min) < Math.abs(a - min) ? b : a));

/** The fields of POST /api/requests for this return. */
export function returnBody(v: ReturnValue): { returnTime?: string; returnAfterMin?: number } {
  if (v.kind === 'time') return { returnTime: v.time };
  if (v.kind === 'after') return { returnAfterMin: v.afterMin };
  return {};
}

const CHOSEN = { '&.Mui-selected, &.Mui-selected:hover': { bgcolor: 'primary.main', color: 'primary.contrastText', fontWeight: 700 } };

/**
 * "Retour" of the phone intake and the request forms: a medical appointment needs a way back, asked in the same
 * call. The time is a French 24 h picker; "after arrival" counts from the arrival time asked (or the drive).
 */
export function ReturnSection({ value, onChange }: { value: ReturnValue; onChange: (v: ReturnValue) => void }) {
  return (
    <Stack spacing={1} data-testid="return-section">
      <Typography variant="subtitle1" component="h3">Retour</Typography>
      <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap', alignItems: 'center' }}>
        {/* The choice made shows at a glance, as the weekday toggles do (a pale tint was easy to miss). */}
        <ToggleButtonGroup exclusive size="small" color="primary" value={value.kind} aria-label="Retour"
          onChange={(_, k) => k && onChange({ ...value, kind: k })}>
          <ToggleButton value="none" data-testid="return-none" sx={CHOSEN}>Aucun</ToggleButton>
          <ToggleButton value="time" data-testid="return-time" sx={CHOSEN}>À heure fixe</ToggleButton>
          <ToggleButton value="after" data-testid="return-after" sx={CHOSEN}>Après le rendez-vous</ToggleButton>
        </ToggleButtonGroup>
        {value.kind === 'time' ? (
          <FrTimePicker label="Départ du retour" value={value.time} onChange={(time) => onChange({ ...value, time })} testId="return-time-input" />
        ) : null}
        {value.kind === 'after' ? (
          <TextField select size="small" label="Temps sur place" value={value.afterMin} sx={{ width: 260 }}
            onChange={(e) => onChange({ ...value, afterMin: Number(e.target.value) })}
            slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'return-after-input' } as object } }}>
            {WAITS.map((m) => <MenuItem key={m} value={m}>environ {waitLabel(m)} après l’arrivée</MenuItem>)}
          </TextField>
        ) : null}
      </Stack>
    </Stack>
  );
}
