import { DatePicker } from '@mui/x-date-pickers/DatePicker';
import { TimePicker } from '@mui/x-date-pickers/TimePicker';
import dayjs, { type Dayjs } from 'dayjs';

/**
 * Date and time inputs in French whatever the browser's language: dd/mm/yyyy and 24 h (MUI pickers, dayjs in
 * French, see FrenchLocale.tsx). The values stay those of the API: "YYYY-MM-DD" and "HH:MM", '' when empty.
 */
interface Common {
  label: string;
  testId?: string;
  error?: string;
  width?: number;
}

const fieldProps = ({ testId, error, width }: Common) => ({
  textField: { error: Boolean(error), helperText: error, sx: { width }, ...(testId ? { 'data-testid': testId } : {}) },
});

export function FrDatePicker({ value, onChange, ...c }: Common & { value: string; onChange: (iso: string) => void }) {
  const v = /^\d{4}-\d\d-\d\d$/.test(value) ? dayjs(value) : null;
  return (
    <DatePicker label={c.label} value={v?.isValid() ? v : null} format="DD/MM/YYYY"
      onChange={(d: Dayjs | null) => onChange(d?.isValid() ? d.format('YYYY-MM-DD') : '')} slotProps={fieldProps({ width: 200, ...c })} />
  );
}

export function FrTimePicker({ value, onChange, ...c }: Common & { value: string; onChange: (hhmm: string) => void }) {
  const v = /^\d\d:\d\d$/.test(value) ? dayjs(`2000-01-01T${value}`) : null;
  return (
    <TimePicker label={c.label} value={v} ampm={false} format="HH:mm"
      onChange={(d: Dayjs | null) => onChange(d?.isValid() ? d.format('HH:mm') : '')} slotProps={fieldProps({ width: 160, ...c })} />
  );
}
