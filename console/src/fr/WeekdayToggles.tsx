import CheckIcon from '@mui/icons-material/Check';
import { ToggleButton, ToggleButtonGroup } from '@mui/material';
import { useTranslate } from 'react-admin';

export const WEEKDAY_NUMBERS = [1, 2, 3, 4, 5, 6, 7];

/** The days in week order, each once: what a set of toggles saves. */
export const weekdaysOf = (days: number[]) => [...new Set(days)].sort((a, b) => a - b);

/**
 * Weekday toggles whose state reads at a glance: a chosen day is filled and ticked, the others plain. Each click
 * toggles that day only. (They started with Monday to Friday chosen and the state barely showed: clicking lun., mar.,
 * jeu. to choose them unchose them and saved [3, 5].)
 */
export function WeekdayToggles({ value, onChange, testIdPrefix = 'weekday' }: { value: number[]; onChange: (days: number[]) => void; testIdPrefix?: string }) {
  const t = useTranslate();
  return (
    <ToggleButtonGroup size="small" value={value} onChange={(_, v: number[]) => onChange(weekdaysOf(v))} aria-label="Jours de la semaine">
      {WEEKDAY_NUMBERS.map((d) => (
        <ToggleButton key={d} value={d} data-testid={`${testIdPrefix}-${d}`} sx={{
          minWidth: 64, gap: 0.5,
          '&.Mui-selected, &.Mui-selected:hover': { bgcolor: 'primary.main', color: 'primary.contrastText', fontWeight: 700 },
        }}>
          {value.includes(d) ? <CheckIcon fontSize="small" /> : null}
          {t(`comobi.weekdays.${d}`)}
        </ToggleButton>
      ))}
    </ToggleButtonGroup>
  );
}
