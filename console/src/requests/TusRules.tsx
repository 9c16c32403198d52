import { Alert, Box, Button, Card, CardContent, Chip, MenuItem, Stack, TextField, Typography } from '@mui/material';
import { useCallback, useEffect, useState } from 'react';
import { useNotify } from 'react-admin';
import { api, messageOf } from '../api.ts';

interface TusException { rule: string; reason: string; recordedBy: string; recordedAt: string }
interface Violation { rule: string; label: string; message: string; exception: TusException | null }
interface TusCheck {
  applies: boolean; distanceKm: number | null; distanceApproximate: boolean; basis: 'residence' | 'resources' | 'both' | null;
  violations: Violation[]; blocking: number; maxParticipationEur: number | null;
}

const BASIS: Record<string, string> = { residence: 'au titre de sa résidence', resources: 'au titre de ses ressources', both: 'au titre de sa résidence et de ses ressources' };
const when = (s: string) => new Date(s).toLocaleString('fr-FR', { dateStyle: 'short', timeStyle: 'short' });
const eur = (n: number) => n.toLocaleString('fr-FR', { style: 'currency', currency: 'EUR' });

/**
 * The transport d'utilité sociale rules on the request (territories with the option): each rule broken, in the
 * API's French words, and the exception the coordinator records to serve the request anyway, with its reason.
 */
export function TusRules({ requestId }: { requestId: number }) {
  const notify = useNotify();
  const [check, setCheck] = useState<TusCheck | null>(null);
  const [rule, setRule] = useState('');
  const [reason, setReason] = useState('');
  const load = useCallback(() => {
    api<TusCheck>(`/api/requests/${requestId}/tus`, { reason: `request:${requestId}` }).then((r) => setCheck(r.json)).catch(() => setCheck(null));
  }, [requestId]);
  useEffect(load, [load]);
  if (!check?.applies) return null;
  const open = check.violations.filter((v) => !v.exception);
  const save = async () => {
    try {
      const r = await api<TusCheck>(`/api/requests/${requestId}/tus/exceptions`, { method: 'POST', body: { rule, reason }, reason: `request:${requestId}` });
      setCheck(r.json);
      setRule('');
      setReason('');
      notify('Dérogation enregistrée', { type: 'success' });
    } catch (e: any) {
      notify(messageOf(e?.body, e?.status ?? 0), { type: 'error' });
    }
  };
  return (
    <Card data-testid="tus-rules">
      <CardContent>
        <Typography variant="h6">Transport d’utilité sociale</Typography>
        <Typography variant="body2" sx={{ mb: 1 }}>
          {check.distanceKm !== null ? `Trajet de ${check.distanceKm.toLocaleString('fr-FR')} km${check.distanceApproximate ? ' (estimé)' : ''}` : ''}
          {check.maxParticipationEur !== null ? ` · participation plafonnée à ${eur(check.maxParticipationEur)} (0,32 €/km)` : ''}
          {check.basis ? ` · bénéficiaire ${BASIS[check.basis]}` : ''}
        </Typography>
        {check.violations.length === 0 ? (
          <Alert severity="success" data-testid="tus-ok">La demande respecte les règles du transport d’utilité sociale.</Alert>
        ) : (
          <Stack spacing={1}>
            {check.violations.map((v) => (
              <Alert key={v.rule} severity={v.exception ? 'info' : 'warning'} data-testid={`tus-violation-${v.rule}`}>
                <strong>{v.label}</strong> — {v.message}
                {v.exception ? (
                  <Box sx={{ mt: 0.5 }} data-testid={`tus-exception-${v.rule}`}>
                    <Chip size="small" label="Dérogation" sx={{ mr: 1 }} />
                    {v.exception.reason} <small>({v.exception.recordedBy}, {when(v.exception.recordedAt)})</small>
                  </Box>
                ) : null}
              </Alert>
            ))}
          </Stack>
        )}
        {open.length ? (
          <Stack direction={{ xs: 'column', md: 'row' }} spacing={1} sx={{ mt: 2, alignItems: { md: 'flex-start' } }}>
            <TextField select size="small" label="Règle" value={rule} onChange={(e) => setRule(e.target.value)} sx={{ minWidth: 260 }}
              slotProps={{ htmlInput: { 'data-testid': 'tus-exception-rule' } }}>
              {open.map((v) => <MenuItem key={v.rule} value={v.rule}>{v.label}</MenuItem>)}
            </TextField>
            <TextField size="small" label="Raison de la dérogation" value={reason} onChange={(e) => setReason(e.target.value)} sx={{ flex: 1 }}
              slotProps={{ htmlInput: { 'data-testid': 'tus-exception-reason' } }} />
            <Button variant="outlined" disabled={!rule || reason.trim().length < 3} onClick={() => void save()} sx={{ flexShrink: 0, whiteSpace: 'nowrap' }}>
              Servir par dérogation
            </Button>
          </Stack>
        ) : null}
      </CardContent>
    </Card>
  );
}
