import { AdapterDayjs } from '@mui/x-date-pickers/AdapterDayjs';
import { DatePicker } from '@mui/x-date-pickers/DatePicker';
import { LocalizationProvider } from '@mui/x-date-pickers/LocalizationProvider';
import { frFR } from '@mui/x-date-pickers/locales';
import { TimePicker } from '@mui/x-date-pickers/TimePicker';
import dayjs, { type Dayjs } from 'dayjs';
import 'dayjs/locale/fr';
import type { ReactNode } from 'react';
import { useInput, useResourceContext, useTranslate } from 'react-admin';

/**
 * Date and time inputs in French whatever the browser's language: dd/mm/yyyy and 24 h (MUI pickers, dayjs in
 * French, Monday first). Each picker brings its own LocalizationProvider: the pickers' code then loads only with the
 * pages that use them. The values stay those of the API: "YYYY-MM-DD" and "HH:MM", '' when empty.
 */
interface Common {
  label: string;
  testId?: string;
  error?: string;
  width?: number;
  /** react-admin's inputs are filled and small: a picker among them looks the same. */
  filled?: boolean;
}

function French({ children }: { children: ReactNode }) {
  return (
    <LocalizationProvider dateAdapter={AdapterDayjs} adapterLocale="fr" localeText={frFR.components.MuiLocalizationProvider.defaultProps.localeText}>
      {children}
    </LocalizationProvider>
  );
}

const fieldProps = ({ testId, error, width, filled }: Common) => ({
  textField: {
    error: Boolean(error), helperText: error, sx: { width }, ...(testId ? { 'data-testid': testId } : {}),
    ...(filled ? { variant: 'filled' as const, size: 'small' as const, margin: 'dense' as const } : {}),
  },
});

export function FrDatePicker({ value, onChange, ...c }: Common & { value: string; onChange: (iso: string) => void }) {
  const v = /^\d{4}-\d\d-\d\d$/.test(value) ? dayjs(value) : null;
  return (
    <French>
      <DatePicker label={c.label} value={v?.isValid() ? v : null} format="DD/MM/YYYY"
        onChange={(d: Dayjs | null) => onChange(d?.isValid() ? d.format('YYYY-MM-DD') : '')} slotProps={fieldProps({ width: 200, ...c })} />
    </French>
  );
}

export function FrTimePicker({ value, onChange, ...c }: Common & { value: string; onChange: (hhmm: string) => void }) {
  const v = /^\d\d:\d\d$/.test(value) ? dayjs(`2000-01-01T${value}`) : null;
  return (
    <French>
      <TimePicker label={c.label} value={v} ampm={false} format="HH:mm"
        onChange={(d: Dayjs | null) => onChange(d?.isValid() ? d.format('HH:mm') : '')} slotProps={fieldProps({ width: 160, ...c })} />
    </French>
  );
}

/**
 * react-admin's DateInput in French: the browser's own date field follows the browser's language (mm/dd/yyyy in an
 * English one), this one is dd/mm/yyyy everywhere. For list filters and forms; the value stays "YYYY-MM-DD".
 */
export function FrDateInput({ source, label }: { source: string; label?: string; alwaysOn?: boolean }) {
  const translate = useTranslate();
  const resource = useResourceContext();
  const { field } = useInput({ source });
  return (
    <FrDatePicker label={translate(label ?? `resources.${resource}.fields.${source}`)} value={field.value ?? ''} testId={`date-input-${source}`}
      onChange={(iso) => field.onChange(iso || null)} width={180} filled />
  );
}
