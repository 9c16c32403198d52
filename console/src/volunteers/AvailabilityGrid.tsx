import { Box, Typography } from '@mui/material';
import { useEffect, useRef, useState } from 'react';

/** A weekly slot as the API keeps it: ISO weekday, "HH:MM" to "HH:MM" ("24:00" closes at midnight). */
export interface WeekSlot { weekday: number; start: string; end: string }

/** The grid covers the hours volunteers drive in, by half hours: 06:00 to 22:00. */
const FIRST_MIN = 6 * 60;
const LAST_MIN = 22 * 60;
const STEP_MIN = 30;
const CELLS = (LAST_MIN - FIRST_MIN) / STEP_MIN;
const DAYS = ['lun.', 'mar.', 'mer.', 'jeu.', 'ven.', 'sam.', 'dim.'];

const toMin = (hhmm: string) => (hhmm === '24:00' ? 1440 : Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5)));
const toHhmm = (min: number) => (min >= 1440 ? '24:00' : `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`);
const cellStart = (c: number) => FIRST_MIN + c * STEP_MIN;

/** Which half hours of each day the slots cover whole. */
function cellsOf(slots: WeekSlot[]): boolean[][] {
  return DAYS.map((_, d) =>
    Array.from({ length: CELLS }, (_, c) =>
      slots.some((s) => s.weekday === d + 1 && toMin(s.start) <= cellStart(c) && cellStart(c) + STEP_MIN <= toMin(s.end)),
    ),
  );
}

/** The slots the chosen cells make: one slot per run of consecutive half hours. */
export function slotsOf(cells: boolean[][]): WeekSlot[] {
  const out: WeekSlot[] = [];
  cells.forEach((row, d) => {
    let start: number | null = null;
    row.forEach((on, c) => {
      if (on && start === null) start = c;
      if ((!on || c === CELLS - 1) && start !== null) {
        const end = on ? c + 1 : c;
        out.push({ weekday: d + 1, start: toHhmm(cellStart(start)), end: toHhmm(cellStart(end)) });
        start = null;
      }
    });
  });
  return out;
}

/**
 * The week at a glance, a row a day, a cell a half hour: click or drag to mark the hours the volunteer is free
 * (dragging from a free cell clears). Slots outside 06:00–22:00 or not on half hours are kept as they are until the
 * grid is changed.
 */
export function AvailabilityGrid({ value, onChange }: { value: WeekSlot[]; onChange: (slots: WeekSlot[]) => void }) {
  const [cells, setCells] = useState(() => cellsOf(value));
  const painting = useRef<boolean | null>(null);
  const changed = useRef(false);
  useEffect(() => {
    if (!changed.current) setCells(cellsOf(value));
  }, [value]);
  useEffect(() => {
    const stop = () => {
      if (painting.current !== null) {
        painting.current = null;
        onChange([...slotsOf(cellsRef.current), ...outside.current]);
      }
    };
    window.addEventListener('mouseup', stop);
    return () => window.removeEventListener('mouseup', stop);
  }, [onChange]);
  const cellsRef = useRef(cells);
  cellsRef.current = cells;
  // Early-morning and late-evening slots the grid does not show are kept as they are.
  const outside = useRef<WeekSlot[]>([]);
  outside.current = value.filter((s) => toMin(s.end) <= FIRST_MIN || toMin(s.start) >= LAST_MIN);
  const toggle = (d: number, c: number) => {
    changed.current = true;
    const next = cells.map((row, i) => (i === d ? row.map((v, j) => (j === c ? !v : v)) : row));
    setCells(next);
    onChange([...slotsOf(next), ...outside.current]);
  };

  const paint = (d: number, c: number) => {
    if (painting.current === null) return;
    changed.current = true;
    setCells((prev) => prev.map((row, i) => (i === d ? row.map((v, j) => (j === c ? painting.current! : v)) : row)));
  };
  const total = cells.flat().filter(Boolean).length * STEP_MIN;

  return (
    <Box data-testid="availability-grid" sx={{ userSelect: 'none', overflowX: 'auto' }}>
      <Box sx={{ display: 'grid', gridTemplateColumns: `48px repeat(${CELLS}, minmax(18px, 1fr))`, gap: '2px', minWidth: 48 + CELLS * 20 }}>
        <Box />
        {Array.from({ length: CELLS }, (_, c) => (
          <Typography key={c} variant="caption" sx={{ gridColumn: 'span 1', textAlign: 'left', color: 'text.secondary', whiteSpace: 'nowrap', overflow: 'visible' }}>
            {c % 2 === 0 ? `${cellStart(c) / 60}h` : ''}
          </Typography>
        ))}
        {DAYS.map((day, d) => (
          <Box key={day} sx={{ display: 'contents' }}>
            <Typography variant="body2" sx={{ fontWeight: 600, alignSelf: 'center' }}>{day}</Typography>
            {cells[d].map((on, c) => (
              <Box
                key={c}
                role="checkbox"
                aria-checked={on}
                aria-label={`${day} ${toHhmm(cellStart(c))}–${toHhmm(cellStart(c) + STEP_MIN)}`}
                data-testid={`slot-${d + 1}-${toHhmm(cellStart(c))}`}
                onMouseDown={(e) => { e.preventDefault(); painting.current = !on; paint(d, c); }}
                onMouseEnter={() => paint(d, c)}
                tabIndex={0}
                onKeyDown={(e) => { if (e.key === ' ' || e.key === 'Enter') { e.preventDefault(); toggle(d, c); } }}
                sx={{
                  height: 26, borderRadius: '3px', cursor: 'pointer',
                  bgcolor: on ? 'success.main' : 'action.hover',
                  borderLeft: c % 2 === 0 ? '2px solid' : 'none', borderColor: 'divider',
                  '&:hover': { outline: '2px solid', outlineColor: 'primary.main' },
                }}
              />
            ))}
          </Box>
        ))}
      </Box>
      <Typography variant="caption" sx={{ display: 'block', mt: 1 }} data-testid="availability-total">
        Vert : disponible. Cliquez ou faites glisser pour marquer ou effacer des demi-heures. Total : {Math.floor(total / 60)} h{total % 60 ? ' 30' : ''} par semaine.
      </Typography>
    </Box>
  );
}
