import { Alert, Box, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useTranslate } from 'react-admin';

export interface FileReport { file: string; rows: number; ms: number; rowsPerS: number }
export interface Report {
  files: FileReport[]; indexMs: number; totalMs: number; warnings: string[]; warningsOmitted: number; ignoredFiles: string[];
  lenient: Record<string, number>; servicePeriod: { start: string; end: string } | null; bbox: [number, number, number, number] | null;
  version?: { version: number; status: string }; sha256?: string;
  /** Each warning's code and place (reports stored before them have `warnings` only, in English). */
  notices?: ImportNotice[]; expired?: { end: string; today: string } | null;
}
export interface ImportNotice { code: string; file?: string; line?: number; column?: string; value?: string; message: string }
export interface ImportError { code: string; file?: string; line?: number; column?: string; value?: string; message: string }

const nf = new Intl.NumberFormat('fr-FR');
const day = (d: string) => new Date(`${d}T00:00:00`).toLocaleDateString('fr-FR');

/** What each gtfs-import error code means, for a coordinator. */
const CODES: Record<string, string> = {
  E_ZIP_INVALID: 'Le fichier n’est pas une archive zip lisible',
  E_ZIP_TOO_LARGE: 'Archive trop volumineuse une fois décompressée',
  E_ZIP_PATH: 'Chemin de fichier interdit dans l’archive',
  E_MISSING_FILE: 'Fichier obligatoire absent',
  E_EMPTY_FILE: 'Fichier vide',
  E_ENCODING: 'Encodage des caractères invalide (UTF-8 attendu)',
  E_CSV_QUOTE: 'Guillemets mal fermés',
  E_COLUMN_COUNT: 'Nombre de colonnes incorrect',
  E_DUPLICATE_COLUMN: 'Colonne en double',
  E_MISSING_COLUMN: 'Colonne obligatoire absente',
  E_REQUIRED_VALUE: 'Valeur obligatoire manquante',
  E_INVALID_VALUE: 'Valeur invalide',
  E_INVALID_TIME: 'Heure invalide',
  E_INVALID_DATE: 'Date invalide',
  E_INVALID_COORDINATE: 'Coordonnée invalide',
  E_DUPLICATE_ID: 'Identifiant en double',
  E_MISSING_TRIP_EDGE: 'Heure d’arrivée ou de départ manquante au premier ou au dernier arrêt d’une course',
  E_ONLY_ARRIVAL_OR_DEPARTURE: 'Une seule des deux heures (arrivée, départ) à un arrêt',
  E_EXPIRED: 'Flux expiré (date de fin dépassée)',
  E_ZIP_FOLDER: 'Fichiers GTFS dans un dossier de l’archive plutôt qu’à sa racine',
  E_UNKNOWN_REF: 'Référence vers un identifiant inconnu',
  E_GEOJSON: 'Zone GeoJSON invalide',
  E_DOWNLOAD: 'Téléchargement impossible',
  E_API: 'transport.data.gouv.fr n’a pas fourni de ressource GTFS',
  E_DB: 'Erreur de la base de données pendant l’import',
  E_INTERRUPTED: 'Import interrompu par un redémarrage du service : relancez-le',
  E_INTERNAL: 'Erreur inattendue pendant l’import',
};

/** A failed import: where (file, line, column) and why, in French, with the importer's message for the specialist. */
export function ImportErrorView({ error }: { error: ImportError }) {
  return (
    <Alert severity="error" data-testid="import-error">
      <Typography sx={{ fontWeight: 600 }}>{CODES[error.code] ?? 'Erreur'} ({error.code})</Typography>
      <Box component="dl" sx={{ m: 0, display: 'grid', gridTemplateColumns: 'auto 1fr', columnGap: 2 }}>
        {error.file ? <><dt>Fichier</dt><dd style={{ margin: 0 }} data-testid="error-file">{error.file}</dd></> : null}
        {error.line ? <><dt>Ligne</dt><dd style={{ margin: 0 }} data-testid="error-line">{error.line}</dd></> : null}
        {error.column ? <><dt>Colonne</dt><dd style={{ margin: 0 }} data-testid="error-column">{error.column}</dd></> : null}
        {error.value !== undefined && error.value !== null ? <><dt>Valeur</dt><dd style={{ margin: 0 }}>« {error.value} »</dd></> : null}
        <dt>Détail</dt><dd style={{ margin: 0 }}>{error.message}</dd>
      </Box>
    </Alert>
  );
}

/** One warning in French from its code and place; the importer's English message for a code the console does not know. */
function noticeText(t: ReturnType<typeof useTranslate>, n: ImportNotice): string {
  const where = [n.file, n.line ? `ligne ${n.line}` : undefined, n.column && n.code !== 'W_FOLDER' ? `colonne ${n.column}` : undefined]
    .filter(Boolean)
    .join(', ');
  const value = n.code === 'W_EXPIRED' && n.value ? day(n.value) : n.value;
  const text = t(`comobi.gtfsWarnings.${n.code}`, { _: n.message, value, column: n.column });
  return where && n.code !== 'W_FOLDER' ? `${where} : ${text}` : text;
}

/** The importer's report (gtfs.feed_versions.report): rows and time per file, service period, extent, warnings. */
export function ImportReportView({ report }: { report: Report }) {
  const t = useTranslate();
  const rows = report.files.reduce((n, f) => n + f.rows, 0);
  const warnings = report.notices ? report.notices.map((n) => noticeText(t, n)) : report.warnings ?? [];
  return (
    <Stack spacing={1} data-testid="import-report">
      <Typography variant="subtitle1">
        Rapport d’import{report.version ? ` (version ${report.version.version})` : ''} : {nf.format(rows)} lignes en {nf.format(Math.round(report.totalMs))} ms
        (dont index et contrôles {nf.format(Math.round(report.indexMs))} ms)
      </Typography>
      <Typography variant="body2">
        Période de service : {report.servicePeriod ? `du ${day(report.servicePeriod.start)} au ${day(report.servicePeriod.end)}` : 'aucune'} ·
        Emprise : {report.bbox ? report.bbox.map((v) => v.toFixed(4)).join(', ') : 'aucune'}
      </Typography>
      {report.expired ? (
        <Alert severity="warning" data-testid="import-expired">
          Flux expiré : valable jusqu’au {day(report.expired.end)}, avant l’import du {day(report.expired.today)}. Il est
          activé quand même : importez-en une version à jour.
        </Alert>
      ) : null}
      <Table size="small" sx={{ maxWidth: 640 }}>
        <TableHead>
          <TableRow><TableCell>Fichier</TableCell><TableCell align="right">Lignes</TableCell><TableCell align="right">Durée (ms)</TableCell><TableCell align="right">Lignes/s</TableCell></TableRow>
        </TableHead>
        <TableBody>
          {report.files.map((f) => (
            <TableRow key={f.file}>
              <TableCell>{f.file}</TableCell><TableCell align="right">{nf.format(f.rows)}</TableCell>
              <TableCell align="right">{nf.format(Math.round(f.ms))}</TableCell><TableCell align="right">{nf.format(Math.round(f.rowsPerS))}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {report.ignoredFiles?.length ? <Typography variant="body2">Fichiers ignorés : {report.ignoredFiles.join(', ')}</Typography> : null}
      {Object.keys(report.lenient ?? {}).length ? (
        <Typography variant="body2">
          Lectures tolérantes (refusées en mode strict) : {Object.entries(report.lenient).map(([k, n]) => `${t(`comobi.gtfsLenient.${k}`, { _: k })} × ${n}`).join(', ')}
        </Typography>
      ) : null}
      {warnings.length ? (
        <Alert severity="warning" data-testid="import-warnings">
          <Typography variant="body2">Avertissements ({warnings.length + (report.warningsOmitted ?? 0)}) :</Typography>
          <ul style={{ margin: 0 }}>{warnings.map((w, i) => <li key={i}>{w}</li>)}</ul>
          {report.warningsOmitted ? <Typography variant="body2">… et {report.warningsOmitted} autres</Typography> : null}
        </Alert>
      ) : <Typography variant="body2">Aucun avertissement.</Typography>}
    </Stack>
  );
}
