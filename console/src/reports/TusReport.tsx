import PrintIcon from '@mui/icons-material/Print';
import { Alert, Box, Button, Card, CardContent, GlobalStyles, MenuItem, Stack, Table, TableBody, TableCell, TableRow, TextField, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { Loading, Title } from 'react-admin';
import { api, messageOf } from '../api.ts';

interface Territory { id: number; name: string; slug: string }
interface Report { territory: { id: number; name: string }; year: number; sections: { section: string; lines: [string, string][] }[]; generatedAt: string }

const now = new Date();
const lastYear = now.getFullYear() - 1;
// In December, trips are already booked into January: next year's report (in progress) can be looked at too.
const newest = now.getFullYear() + (now.getMonth() === 11 ? 1 : 0);
const YEARS = Array.from({ length: newest - lastYear + 5 }, (_, i) => newest - i);

/**
 * The yearly report a TUS association sends to the préfet before 1 March (arrêté of 17 October 2019): the API's
 * figures and wording, printable as it is (the menu and bar are hidden on paper), or as PDF and French CSV.
 */
export function TusReportPage() {
  const [territories, setTerritories] = useState<Territory[] | null>(null);
  const [territory, setTerritory] = useState<number | ''>('');
  const [year, setYear] = useState(lastYear);
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<Territory[]>(`/api/territories?${new URLSearchParams({ sort: '["name","ASC"]', range: '[0,99]' })}`).then((r) => {
      setTerritories(r.json);
      if (r.json[0]) setTerritory(r.json[0].id);
    }).catch((e) => setError(messageOf(e?.body, e?.status ?? 0)));
  }, []);
  useEffect(() => {
    if (territory === '') return;
    setReport(null);
    api<Report>(`/api/reports/tus?territory=${territory}&year=${year}`).then((r) => { setReport(r.json); setError(null); })
      .catch((e) => setError(messageOf(e?.body, e?.status ?? 0)));
  }, [territory, year]);
  const link = (format: string) => `/api/reports/tus?territory=${territory}&year=${year}&format=${format}`;
  return (
    <Box sx={{ mt: 2 }}>
      <Title title="Rapport annuel TUS" />
      <GlobalStyles styles={{ '@media print': { 'header, .RaSidebar-root, .no-print': { display: 'none !important' }, '.RaLayout-content': { padding: 0 } } }} />
      <Stack direction={{ xs: 'column', md: 'row' }} spacing={1} useFlexGap className="no-print" sx={{ mb: 2, alignItems: { md: 'center' }, flexWrap: 'wrap' }}>
        <TextField select size="small" label="Territoire" value={territory} onChange={(e) => setTerritory(Number(e.target.value))} sx={{ width: 300 }}
          slotProps={{ htmlInput: { 'data-testid': 'tus-report-territory' } }}>
          {(territories ?? []).map((t) => <MenuItem key={t.id} value={t.id}>{t.name}</MenuItem>)}
        </TextField>
        <TextField select size="small" label="Année" value={year} onChange={(e) => setYear(Number(e.target.value))} sx={{ width: 130 }}
          slotProps={{ htmlInput: { 'data-testid': 'tus-report-year' } }}>
          {YEARS.map((y) => <MenuItem key={y} value={y}>{y}</MenuItem>)}
        </TextField>
        <Box sx={{ flex: 1 }} />
        <Button variant="outlined" sx={{ whiteSpace: 'nowrap' }} href={link('csv')} disabled={territory === ''} data-testid="tus-report-csv">CSV (tableur)</Button>
        <Button variant="outlined" sx={{ whiteSpace: 'nowrap' }} href={link('pdf')} target="_blank" disabled={territory === ''} data-testid="tus-report-pdf">PDF</Button>
        <Button variant="contained" sx={{ whiteSpace: 'nowrap' }} startIcon={<PrintIcon />} onClick={() => window.print()}>Imprimer</Button>
      </Stack>
      {error ? <Alert severity="error">{error}</Alert> : null}
      {!report && !error ? <Loading /> : null}
      {report ? (
        <Card data-testid="tus-report">
          <CardContent sx={{ maxWidth: 900 }}>
            <Typography variant="body2" color="text.secondary">
              Informations à transmettre au préfet de département avant le 1ᵉʳ mars {report.year + 1} (art. R3133-5 du code des transports, arrêté du 17 octobre 2019)
            </Typography>
            <Typography variant="h5" sx={{ mt: 1 }}>Rapport annuel {report.year}</Typography>
            <Typography variant="subtitle1">Transport d’utilité sociale — {report.territory.name}</Typography>
            <Typography variant="body2" color="text.secondary">
              Année civile du 01/01/{report.year} au 31/12/{report.year} · établi le {new Date(report.generatedAt).toLocaleString('fr-FR', { dateStyle: 'short', timeStyle: 'short' })}
            </Typography>
            {report.sections.map((s) => (
              <Box key={s.section} sx={{ mt: 2 }}>
                <Typography variant="h6">{s.section}</Typography>
                <Table size="small">
                  <TableBody>
                    {s.lines.map(([k, v]) => (
                      <TableRow key={k}>
                        {/* The label keeps most of the width: a long value (the care rules) wraps in its own column, not the labels. */}
                        <TableCell sx={{ pl: k[0] === k[0].toLowerCase() ? 4 : 2, width: '60%' }}>{k}</TableCell>
                        <TableCell align="right" sx={{ fontWeight: 600 }}>{v}</TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              </Box>
            ))}
          </CardContent>
        </Card>
      ) : null}
    </Box>
  );
}
