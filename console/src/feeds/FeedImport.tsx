import { Alert, Box, Button, Card, CardContent, Chip, LinearProgress, MenuItem, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { Title, useNotify, useRedirect } from 'react-admin';
import { Link, useParams } from 'react-router';
import { api, messageOf } from '../api.ts';
import { currentUser } from '../authProvider.ts';
import { fieldErrors } from '../fieldReasons.ts';
import { ImportErrorView, ImportReportView, type ImportError, type Report } from './ImportReport.tsx';

export interface Job {
  id: number; name: string; territoryId: number | null; url: string | null; tdgDatasetId: string | null;
  status: 'queued' | 'downloading' | 'importing' | 'done' | 'failed';
  progress: { stage?: string; receivedBytes?: number; totalBytes?: number | null; file?: string; rows?: number; files?: { file: string; rows: number; done: boolean }[] };
  report: Report | null; error: ImportError | null; feedId: number | null; createdBy: string; createdAt: string; finishedAt: string | null;
}

export const STATUS: Record<Job['status'], string> = {
  queued: 'En attente', downloading: 'Téléchargement', importing: 'Import en cours', done: 'Terminé', failed: 'Échec',
};
const COLOR: Record<Job['status'], 'default' | 'info' | 'success' | 'error'> = {
  queued: 'default', downloading: 'info', importing: 'info', done: 'success', failed: 'error',
};
export const StatusChip = ({ status }: { status: Job['status'] }) => <Chip size="small" label={STATUS[status]} color={COLOR[status]} data-testid="import-status" />;

const nf = new Intl.NumberFormat('fr-FR');
const bytes = (n: number) => (n >= 1e6 ? `${(n / 1e6).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} Mo` : `${nf.format(Math.ceil(n / 1e3))} ko`);

/** "Importer un flux": a URL or a transport.data.gouv.fr dataset id, and the feed's name; then the progress page. */
export function FeedImportCreate() {
  const notify = useNotify();
  const redirect = useRedirect();
  const me = currentUser();
  const [source, setSource] = useState<'url' | 'dataset'>('url');
  const [url, setUrl] = useState('');
  const [datasetId, setDatasetId] = useState('');
  const [name, setName] = useState('');
  const [territoryId, setTerritoryId] = useState<number | ''>(me?.territories.length === 1 ? me.territories[0].id : '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    setBusy(true);
    setErrors({});
    try {
      const body = { name, ...(source === 'url' ? { url: url.trim() } : { datasetId: datasetId.trim() }), ...(territoryId ? { territoryId } : {}) };
      const r = await api<Job>('/api/feeds/imports', { method: 'POST', body });
      notify(`Import n° ${r.json.id} lancé`, { type: 'info' });
      redirect(`/feed-imports/${r.json.id}`);
    } catch (e: any) {
      const fe = fieldErrors(e.body);
      if (fe.datasetId && source === 'dataset') fe.url = fe.datasetId;
      setErrors(fe);
      notify(Object.keys(fe).length ? 'Import non lancé : corrigez les champs signalés' : messageOf(e.body, e.status), { type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  const err = (k: string) => (errors[k] ? { error: true, helperText: errors[k] } : {});

  return (
    <Box sx={{ p: 2 }}>
      <Title title="Importer un flux" />
      <Card sx={{ maxWidth: 760 }}>
        <CardContent>
          <Stack spacing={2}>
            <Typography variant="h6">Importer un flux GTFS ou GTFS-Flex</Typography>
            <Typography variant="body2">
              Le fichier est téléchargé puis importé en une seule fois : en cas d’erreur, rien n’est modifié. Un flux du même nom est remplacé par la nouvelle version.
            </Typography>
            <ToggleButtonGroup exclusive size="small" value={source} onChange={(_, v) => v && setSource(v)}>
              <ToggleButton value="url">Adresse du fichier zip</ToggleButton>
              <ToggleButton value="dataset">Jeu de données transport.data.gouv.fr</ToggleButton>
            </ToggleButtonGroup>
            {source === 'url' ? (
              <TextField label="Adresse (https://…)" value={url} onChange={(e) => setUrl(e.target.value)} fullWidth {...err('url')}
                slotProps={{ htmlInput: { 'data-testid': 'import-url' } }} />
            ) : (
              <TextField label="Identifiant du jeu de données" value={datasetId} onChange={(e) => setDatasetId(e.target.value)} fullWidth {...err('url')}
                slotProps={{ htmlInput: { 'data-testid': 'import-dataset' } }} />
            )}
            <TextField label="Nom du flux" value={name} onChange={(e) => setName(e.target.value)} {...err('name')}
              slotProps={{ htmlInput: { 'data-testid': 'import-name' } }} />
            {me && (me.role === 'admin' || me.territories.length > 1) ? (
              <TextField select label={me.role === 'admin' ? 'Territoire (facultatif)' : 'Territoire'} value={territoryId}
                onChange={(e) => setTerritoryId(e.target.value === '' ? '' : Number(e.target.value))} sx={{ width: 300 }} {...err('territoryId')}>
                {me.role === 'admin' ? <MenuItem value="">Aucun (tous les territoires)</MenuItem> : null}
                {me.territories.map((x) => <MenuItem key={x.id} value={x.id}>{x.name}</MenuItem>)}
              </TextField>
            ) : null}
            <Box>
              <Button variant="contained" onClick={submit} disabled={busy} data-testid="start-import">Lancer l’import</Button>
            </Box>
          </Stack>
        </CardContent>
      </Card>
    </Box>
  );
}

/** One import followed second by second: bytes downloaded, then rows per file, then the report or the error. */
export function FeedImportProgress() {
  const { id } = useParams();
  const notify = useNotify();
  const [job, setJob] = useState<Job | null>(null);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const j = (await api<Job>(`/api/feeds/imports/${id}`)).json;
        if (!live) return;
        setJob(j);
        if (j.status !== 'done' && j.status !== 'failed') timer = setTimeout(poll, 1000);
      } catch (e: any) {
        if (live) notify(messageOf(e.body, e.status), { type: 'error' });
      }
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [id, notify]);

  const p = job?.progress ?? {};
  return (
    <Box sx={{ p: 2 }}>
      <Title title={`Import n° ${id}`} />
      <Card sx={{ maxWidth: 900 }}>
        <CardContent>
          {!job ? <LinearProgress /> : (
            <Stack spacing={2}>
              <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
                <Typography variant="h6">Import « {job.name} »</Typography>
                <StatusChip status={job.status} />
              </Stack>
              <Typography variant="body2">
                Source : {job.tdgDatasetId ? `jeu de données ${job.tdgDatasetId}` : ''}{job.tdgDatasetId && job.url ? ' · ' : ''}{job.url ?? ''} ·
                lancé par {job.createdBy} le {new Date(job.createdAt).toLocaleString('fr-FR')}
              </Typography>
              {p.stage === 'resolving' ? <Typography>Recherche de la ressource GTFS sur transport.data.gouv.fr…</Typography> : null}
              {p.receivedBytes !== undefined ? (
                <Box data-testid="download-progress">
                  <Typography variant="body2">
                    Téléchargé : {bytes(p.receivedBytes)}{p.totalBytes ? ` sur ${bytes(p.totalBytes)}` : ''}
                  </Typography>
                  <LinearProgress variant={p.totalBytes ? 'determinate' : 'indeterminate'}
                    value={p.totalBytes ? Math.min(100, (100 * p.receivedBytes) / p.totalBytes) : undefined} />
                </Box>
              ) : null}
              {p.files?.length && job.status !== 'done' ? (
                <Table size="small" sx={{ maxWidth: 520 }} data-testid="import-files">
                  <TableHead><TableRow><TableCell>Fichier</TableCell><TableCell align="right">Lignes lues</TableCell><TableCell /></TableRow></TableHead>
                  <TableBody>
                    {p.files.map((f) => (
                      <TableRow key={f.file}><TableCell>{f.file}</TableCell><TableCell align="right">{nf.format(f.rows)}</TableCell><TableCell>{f.done ? '✓' : '…'}</TableCell></TableRow>
                    ))}
                  </TableBody>
                </Table>
              ) : null}
              {job.status === 'importing' ? <LinearProgress /> : null}
              {job.error ? <ImportErrorView error={job.error} /> : null}
              {job.report ? <ImportReportView report={job.report} /> : null}
              {job.status === 'done' && job.feedId ? (
                <Box><Button component={Link} to={`/feeds/${job.feedId}/show`} variant="outlined">Voir le flux</Button></Box>
              ) : null}
              {job.status === 'failed' ? <Alert severity="info">Aucune donnée n’a été modifiée : l’import se fait en une seule fois ou pas du tout.</Alert> : null}
            </Stack>
          )}
        </CardContent>
      </Card>
    </Box>
  );
}
