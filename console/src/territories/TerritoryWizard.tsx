import 'leaflet/dist/leaflet.css';
import L from 'leaflet';
import { Alert, Box, Button, Card, CardContent, Stack, Step, StepLabel, Stepper, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { useMemo, useState } from 'react';
import { Title, useNotify } from 'react-admin';
import { GeoJSON, MapContainer } from 'react-leaflet';
import { Link } from 'react-router';
import { upload } from '../api.ts';

/** What POST /api/territory-setup answers (services/src/territory/setup.ts SetupReport). */
interface Report {
  territoryId: number; slug: string; name: string; created: boolean; dryRun?: boolean; boundary?: GeoJSON.MultiPolygon;
  communes: { total: number; added: unknown[]; renamed: unknown[]; reshaped: unknown[]; removed: unknown[]; kept: unknown[]; unchanged: number };
  enrichment: { postalCodes: number; populations: number; unknown: { insee: string; name: string }[]; merged: { insee: string; name: string; into: string }[] };
  accountsCreated: { role: string; email: string; password?: string }[];
  steps: { step: string; ms: number }[];
}
type Issue = { field: string; reason: string };

const STEPS = ['Fichier des communes', 'Vérification et carte', 'Coordination', 'Territoire créé'];

function Boundary({ geometry }: { geometry: GeoJSON.MultiPolygon }) {
  const bounds = useMemo(() => L.geoJSON(geometry).getBounds(), [geometry]);
  return (
    <MapContainer bounds={bounds} style={{ height: 360 }} scrollWheelZoom={false} data-testid="wizard-map">
      <GeoJSON data={geometry} style={{ color: '#000091', weight: 2, fillOpacity: 0.1 }} />
    </MapContainer>
  );
}

/**
 * "Nouveau territoire", for admins: the official commune file (GeoJSON from IGN ADMIN EXPRESS or france-geojson),
 * checked by the service without keeping anything (the map shows the boundary), then the coordination's phone and
 * first account, then the set-up itself: the same checks and the same transaction as `npm run territory -- create`.
 */
export function TerritoryWizard() {
  const notify = useNotify();
  const [step, setStep] = useState(0);
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [departement, setDepartement] = useState('');
  const [phone, setPhone] = useState('');
  const [email, setEmail] = useState('');
  const [issues, setIssues] = useState<Issue[]>([]);
  const [preview, setPreview] = useState<Report | null>(null);
  const [done, setDone] = useState<Report | null>(null);
  const [busy, setBusy] = useState(false);

  const send = async (dryRun: boolean) => {
    if (!file) return null;
    const q = new URLSearchParams({ name: name.trim(), dryRun: String(dryRun) });
    if (departement.trim()) q.set('departement', departement.trim());
    if (!dryRun && phone.trim()) q.set('coordinatorPhone', phone.trim());
    if (!dryRun && email.trim()) q.set('coordinatorEmail', email.trim());
    setBusy(true);
    setIssues([]);
    try {
      return (await upload<Report>(`/api/territory-setup?${q}`, file, 'application/geo+json')).json;
    } catch (e: any) {
      setIssues(e.body?.fields ?? [{ field: '', reason: e.message }]);
      notify('Fichier refusé : rien n’a été enregistré', { type: 'error' });
      return null;
    } finally {
      setBusy(false);
    }
  };
  const check = async () => {
    const r = await send(true);
    if (r) {
      setPreview(r);
      setStep(1);
    }
  };
  const create = async () => {
    const r = await send(false);
    if (r) {
      setDone(r);
      setStep(3);
    }
  };

  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Nouveau territoire" />
      <CardContent>
        <Stepper activeStep={step} sx={{ mb: 3 }}>
          {STEPS.map((s) => (
            <Step key={s}>
              <StepLabel>{s}</StepLabel>
            </Step>
          ))}
        </Stepper>

        {step === 0 && (
          <Stack spacing={2} sx={{ maxWidth: 640 }}>
            <Typography>
              Le fichier officiel des communes du territoire, en GeoJSON : ADMIN EXPRESS de l’IGN (propriétés INSEE_COM, NOM) ou
              france-geojson (code, nom). Un fichier régional ou national convient avec le code du département.
            </Typography>
            <TextField label="Nom du territoire" value={name} onChange={(e) => setName(e.target.value)} required slotProps={{ htmlInput: { 'data-testid': 'wizard-name' } }} />
            <TextField label="Département (facultatif)" value={departement} onChange={(e) => setDepartement(e.target.value)} helperText="Ex. 19 : ne garder que ses communes" />
            <Button variant="outlined" component="label">
              {file ? `Fichier : ${file.name}` : 'Choisir le fichier des communes'}
              <input hidden type="file" accept=".geojson,.json,application/geo+json,application/json" data-testid="wizard-file"
                onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
            </Button>
            <Box>
              <Button variant="contained" disabled={!file || !name.trim() || busy} onClick={check}>Vérifier le fichier</Button>
            </Box>
          </Stack>
        )}

        {step === 1 && preview && (
          <Stack spacing={2}>
            <Alert severity="success" data-testid="wizard-summary">
              {preview.communes.total} communes, codes postaux pour {preview.enrichment.postalCodes}, populations pour {preview.enrichment.populations}
              {preview.created ? ' : nouveau territoire' : ` : le territoire « ${preview.name} » existe et sera mis à jour`}.
            </Alert>
            {preview.enrichment.merged.length > 0 && (
              <Typography variant="body2">Fusionnées depuis l’édition du fichier : {preview.enrichment.merged.map((m) => `${m.name} → ${m.into}`).join(', ')}</Typography>
            )}
            {preview.enrichment.unknown.length > 0 && (
              <Typography variant="body2">Inconnues du Code officiel géographique : {preview.enrichment.unknown.map((m) => `${m.insee} ${m.name}`).join(', ')}</Typography>
            )}
            {preview.boundary && <Boundary geometry={preview.boundary} />}
            <Box>
              <Button onClick={() => setStep(0)}>Retour</Button>
              <Button variant="contained" onClick={() => setStep(2)}>Continuer</Button>
            </Box>
          </Stack>
        )}

        {step === 2 && (
          <Stack spacing={2} sx={{ maxWidth: 640 }}>
            <Typography>Les règles de mise en relation sont celles par défaut ; elles se changent ensuite dans la fiche du territoire.</Typography>
            <TextField label="Téléphone de la coordination (affiché au public)" value={phone} onChange={(e) => setPhone(e.target.value)} />
            <TextField label="Courriel du premier compte de coordination" value={email} onChange={(e) => setEmail(e.target.value)}
              helperText="Par défaut : coordination.<territoire>@comobi.local" slotProps={{ htmlInput: { 'data-testid': 'wizard-email' } }} />
            <Box>
              <Button onClick={() => setStep(1)}>Retour</Button>
              <Button variant="contained" disabled={busy} onClick={create}>Créer le territoire</Button>
            </Box>
          </Stack>
        )}

        {step === 3 && done && (
          <Stack spacing={2} data-testid="wizard-done">
            <Alert severity="success">
              Territoire « {done.name} » {done.created ? 'créé' : 'mis à jour'} : {done.communes.total} communes.
            </Alert>
            {done.accountsCreated.map((a) => (
              <Alert key={a.email} severity="warning">
                Compte {a.role === 'admin' ? 'd’administration' : 'de coordination'} : <strong>{a.email}</strong>, mot de passe{' '}
                <strong data-testid="wizard-password">{a.password}</strong> — affiché une seule fois, à transmettre par un canal sûr.
              </Alert>
            ))}
            <Box>
              <Button component={Link} to="/territories">Territoires</Button>
            </Box>
          </Stack>
        )}

        {issues.length > 0 && (
          <Box sx={{ mt: 2 }} data-testid="wizard-issues">
            <Alert severity="error">Fichier refusé, rien n’a été enregistré : {issues.length} problème{issues.length > 1 ? 's' : ''}.</Alert>
            <Table size="small">
              <TableHead>
                <TableRow><TableCell>Où</TableCell><TableCell>Raison</TableCell></TableRow>
              </TableHead>
              <TableBody>
                {issues.slice(0, 100).map((i, k) => (
                  <TableRow key={k}><TableCell>{i.field}</TableCell><TableCell>{i.reason}</TableCell></TableRow>
                ))}
              </TableBody>
            </Table>
          </Box>
        )}
      </CardContent>
    </Card>
  );
}
