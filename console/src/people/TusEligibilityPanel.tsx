import { Alert, Box, Button, Checkbox, FormControlLabel, MenuItem, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { useCallback, useEffect, useState } from 'react';
import { Labeled, useNotify, useRecordContext } from 'react-admin';
import { api, messageOf } from '../api.ts';
import { FrDatePicker } from '../fr/pickers.tsx';
import { actorText } from '../timeline/Timeline.tsx';

interface Residence { insee: string; name: string | null; unitCode: string | null; unitName: string | null; unitPopulation: number | null; eligible: boolean }
interface Beneficiary {
  byResidence: boolean; residence: Residence | null; byResources: boolean; resourceBenefit: string | null; resourceBenefitLabel: string | null;
  proof: string | null; proofDate: string | null; recordedBy: string; updatedAt: string;
}
interface Membership { id: number; year: number; feeEur: number; paidOn: string; recordedBy: string }
interface TusPerson { residence: Residence | null; beneficiary: Beneficiary | null; memberships: Membership[] }

/** R3133-1 2° of the code des transports (the API checks the same list: services/src/domain/tus.ts). */
const BENEFITS: [string, string][] = [
  ['css', 'Complémentaire santé solidaire (ex-CMU-C) ou ressources sous son plafond'],
  ['rs', 'Revenu de solidarité'],
  ['rsa', 'Revenu de solidarité active (RSA)'],
  ['ada', 'Allocation pour demandeur d’asile (ADA)'],
  ['jeunes', 'Allocation de l’article L5131-5 du code du travail (accompagnement des jeunes)'],
  ['ass', 'Allocation de solidarité spécifique (ASS)'],
  ['ata', 'Allocation temporaire d’attente (ATA)'],
  ['veuvage', 'Assurance veuvage'],
  ['aspa', 'Allocation de solidarité aux personnes âgées (ASPA)'],
  ['asi', 'Allocation supplémentaire d’invalidité (ASI)'],
  ['aah', 'Allocation aux adultes handicapés (AAH)'],
];

const today = () => new Date().toISOString().slice(0, 10);
const frDate = (iso: string | null) => (iso ? new Date(`${iso}T12:00:00`).toLocaleDateString('fr-FR') : '—');
const eur = (n: number) => n.toLocaleString('fr-FR', { style: 'currency', currency: 'EUR' });

function residenceText(r: Residence | null) {
  if (!r) return 'Commune absente du fichier des unités urbaines de l’INSEE';
  const where = r.unitCode
    ? `unité urbaine ${r.unitName ?? r.unitCode}${r.unitPopulation !== null ? ` (${r.unitPopulation.toLocaleString('fr-FR')} habitants)` : ''}`
    : 'commune hors unité urbaine';
  return `${r.name ?? r.insee} : ${where} — ${r.eligible ? 'éligible' : 'non éligible'} au titre de la résidence`;
}

/**
 * A person's transport d'utilité sociale record (territories with the option): the ground of eligibility and the
 * proof seen, and the association memberships. Personal data: the API audits each read with this page as reason.
 */
export function TusEligibilityPanel() {
  const person = useRecordContext<{ id: number; territoryId: number }>();
  const notify = useNotify();
  const [enabled, setEnabled] = useState(false);
  const [data, setData] = useState<TusPerson | null>(null);
  const [form, setForm] = useState({ byResidence: false, byResources: false, resourceBenefit: '', proof: '', proofDate: today() });
  const [m, setM] = useState({ year: String(new Date().getFullYear()), feeEur: '', paidOn: today() });
  const id = person?.id;
  const load = useCallback(() => {
    if (!id || !person?.territoryId) return;
    api<{ enabled: boolean; memberFeeEur: number | null }>(`/api/tus/settings/${person.territoryId}`).then((s) => {
      setEnabled(s.json.enabled);
      if (!s.json.enabled) return;
      setM((x) => ({ ...x, feeEur: x.feeEur || (s.json.memberFeeEur !== null ? String(s.json.memberFeeEur) : '') }));
      return api<TusPerson>(`/api/people/${id}/tus`).then((r) => {
        setData(r.json);
        const b = r.json.beneficiary;
        if (b) setForm({ byResidence: b.byResidence, byResources: b.byResources, resourceBenefit: b.resourceBenefit ?? '', proof: b.proof ?? '', proofDate: b.proofDate ?? today() });
      });
    }).catch(() => setEnabled(false));
  }, [id, person?.territoryId]);
  useEffect(load, [load]);
  if (!enabled || !data || !id) return null;

  const call = async (path: string, method: string, body: unknown, done: string) => {
    try {
      const r = await api<TusPerson>(path, { method, body });
      setData(r.json);
      notify(done, { type: 'success' });
    } catch (e: any) {
      notify(messageOf(e?.body, e?.status ?? 0), { type: 'error' });
    }
  };
  const saveEligibility = () =>
    call(`/api/people/${id}/tus/beneficiary`, 'PUT', { ...form, resourceBenefit: form.byResources ? form.resourceBenefit || null : null }, 'Éligibilité enregistrée');
  const saveMembership = () =>
    call(`/api/people/${id}/tus/memberships/${m.year}`, 'PUT', { feeEur: Number(m.feeEur.replace(',', '.')), paidOn: m.paidOn }, 'Adhésion enregistrée');
  const b = data.beneficiary;

  return (
    <Labeled label="Transport d’utilité sociale" fullWidth>
      <Box data-testid="tus-eligibility" sx={{ maxWidth: 900 }}>
        <Typography variant="body2" data-testid="tus-residence">{residenceText(data.residence)}</Typography>
        {b ? (
          <Alert severity="success" sx={{ my: 1 }} data-testid="tus-beneficiary">
            Bénéficiaire {[b.byResidence ? 'au titre de la résidence' : '', b.byResources ? `au titre des ressources (${b.resourceBenefitLabel})` : ''].filter(Boolean).join(' et ')}
            {' '}· justificatif : {b.proof} du {frDate(b.proofDate)} · enregistré par : {actorText(b.recordedBy, null)}
          </Alert>
        ) : (
          <Alert severity="warning" sx={{ my: 1 }}>Pas encore enregistré comme bénéficiaire : ses demandes signaleront la règle d’éligibilité.</Alert>
        )}
        <Stack direction="row" spacing={2} sx={{ flexWrap: 'wrap', alignItems: 'center' }}>
          <FormControlLabel label="Par sa commune de résidence" control={
            <Checkbox checked={form.byResidence} onChange={(e) => setForm({ ...form, byResidence: e.target.checked })} slotProps={{ input: { 'data-testid': 'tus-by-residence' } as any }} />} />
          <FormControlLabel label="Par ses ressources" control={
            <Checkbox checked={form.byResources} onChange={(e) => setForm({ ...form, byResources: e.target.checked })} slotProps={{ input: { 'data-testid': 'tus-by-resources' } as any }} />} />
        </Stack>
        {form.byResources ? (
          <TextField select size="small" label="Prestation ou couverture justifiée" value={form.resourceBenefit} fullWidth sx={{ my: 1 }}
            onChange={(e) => setForm({ ...form, resourceBenefit: e.target.value })} slotProps={{ htmlInput: { 'data-testid': 'tus-benefit' } }}>
            {BENEFITS.map(([k, label]) => <MenuItem key={k} value={k}>{label}</MenuItem>)}
          </TextField>
        ) : null}
        <Stack direction={{ xs: 'column', md: 'row' }} spacing={1} sx={{ my: 1 }}>
          <TextField label="Justificatif vu" value={form.proof} onChange={(e) => setForm({ ...form, proof: e.target.value })} sx={{ flex: 1, minWidth: 320 }}
            helperText="Par exemple : attestation CAF de RSA, notification de la MDPH" slotProps={{ htmlInput: { 'data-testid': 'tus-proof' } }} />
          <FrDatePicker label="Date du justificatif" value={form.proofDate} onChange={(v) => setForm({ ...form, proofDate: v })} testId="tus-proof-date" width={190} />
          <Button variant="contained" onClick={() => void saveEligibility()} disabled={!form.byResidence && !form.byResources}
            sx={{ alignSelf: 'flex-start', whiteSpace: 'nowrap', flexShrink: 0, mt: 1 }}>
            Enregistrer l’éligibilité
          </Button>
        </Stack>

        <Typography variant="subtitle2" sx={{ mt: 2 }}>Adhésions à l’association</Typography>
        {data.memberships.length ? (
          <Table size="small" data-testid="tus-memberships" sx={{ maxWidth: 600 }}>
            <TableHead><TableRow><TableCell>Année</TableCell><TableCell>Cotisation</TableCell><TableCell>Payée le</TableCell><TableCell>Par</TableCell></TableRow></TableHead>
            <TableBody>
              {data.memberships.map((x) => (
                <TableRow key={x.id}><TableCell>{x.year}</TableCell><TableCell>{eur(x.feeEur)}</TableCell><TableCell>{frDate(x.paidOn)}</TableCell><TableCell>{actorText(x.recordedBy, null)}</TableCell></TableRow>
              ))}
            </TableBody>
          </Table>
        ) : <Typography variant="body2">Aucune adhésion enregistrée.</Typography>}
        <Stack direction={{ xs: 'column', md: 'row' }} spacing={1} sx={{ my: 1 }}>
          <TextField label="Année" value={m.year} onChange={(e) => setM({ ...m, year: e.target.value })} sx={{ width: 110 }}
            slotProps={{ htmlInput: { 'data-testid': 'tus-member-year', inputMode: 'numeric' } }} />
          <TextField label="Cotisation (€)" value={m.feeEur} onChange={(e) => setM({ ...m, feeEur: e.target.value })} sx={{ width: 150 }}
            slotProps={{ htmlInput: { 'data-testid': 'tus-member-fee', inputMode: 'decimal' } }} />
          <FrDatePicker label="Payée le" value={m.paidOn} onChange={(v) => setM({ ...m, paidOn: v })} testId="tus-member-paid" width={190} />
          <Button variant="outlined" onClick={() => void saveMembership()} disabled={!m.feeEur}
            sx={{ alignSelf: 'flex-start', whiteSpace: 'nowrap', flexShrink: 0, mt: 1 }}>
            Enregistrer l’adhésion
          </Button>
        </Stack>
      </Box>
    </Labeled>
  );
}
