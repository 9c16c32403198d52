import { Box, Chip } from '@mui/material';

/** What a widening changed to find a proposal (matches.widened). */
export interface WidenedValue { kind: 'tolerance' | 'corridor' | 'day' | 'detour'; from: number; to: number; label: string }

const frDay = (d: string) => new Date(`${d}T12:00:00`).toLocaleDateString('fr-FR', { weekday: 'long', day: '2-digit', month: '2-digit' });

/**
 * On a proposal found by widening: what was widened, and the other day when it is one. Apart from NearMisses.tsx:
 * the proposals table shows it on first load, the near misses card comes later (LaterCards.tsx).
 */
export function WidenedNote({ widened, date, requestDate }: { widened: WidenedValue | null; date: string | null; requestDate: string | null }) {
  if (!widened) return null;
  return (
    <Box sx={{ whiteSpace: 'normal' }}>
      <Chip size="small" color="info" variant="outlined" sx={{ mt: 0.5, maxWidth: '100%' }} data-testid="widened-note"
        label={`Recherche élargie : ${widened.label}${date && requestDate && date !== requestDate ? ` · le ${frDay(date)}` : ''}`} />
    </Box>
  );
}
