import type { DataProvider, Exporter } from 'react-admin';
import { i18nProvider } from '../i18n.ts';
import { returnText } from '../requests/return-text.ts';

/**
 * react-admin list exports for a French spreadsheet: UTF-8 with a byte order mark, `;` between cells, French headers,
 * names and labels rather than ids and codes, dates dd/mm/yyyy and times in Paris local time. (The default exporter
 * wrote `,`, English field names, codes and UTC instants.)
 */
interface Column<R> { header: string; value: (r: R) => unknown }

const PARIS = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});
/** An instant as Paris local time: "01/12/2026 10:05". */
export const parisDateTime = (v: string | null | undefined) => (v ? PARIS.format(new Date(v)).replace(',', '') : '');
/** A calendar day "2026-08-12" as "12/08/2026". */
export const frDay = (v: string | null | undefined) => (v ? v.slice(0, 10).split('-').reverse().join('/') : '');

const t = (key: string) => i18nProvider.translate(key, { _: key.split('.').pop() });
const code = (group: string) => (v: string | null | undefined) => (v ? t(`comobi.${group}.${v}`) : '');
const codes = (group: string) => (vs: string[] | number[] | null | undefined) => (vs ?? []).map((v) => t(`comobi.${group}.${v}`)).join(', ');
const yesNo = (v: unknown) => (v ? 'oui' : 'non');
const fullName = (p: { firstName?: string | null; lastName?: string | null } | undefined) => (p ? `${p.firstName ?? ''} ${p.lastName ?? ''}`.trim() : '');

function cell(v: unknown): string {
  let s = v === null || v === undefined ? '' : typeof v === 'number' ? String(v).replace('.', ',') : String(v);
  // A spreadsheet must not run a cell as a formula.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[";\n\r]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export function frenchCsv<R>(columns: Column<R>[], rows: R[]): string {
  const lines = [columns.map((c) => cell(c.header)).join(';'), ...rows.map((r) => columns.map((c) => cell(c.value(r))).join(';'))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

function download(csv: string, name: string) {
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: `${name}-${new Date().toISOString().slice(0, 10)}.csv` });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * The people an export names, by id. (react-admin's fetchRelatedRecords asks getMany, which the API pages at 25
 * records: an export of more would lose names.)
 */
async function peopleById(dp: DataProvider, ids: unknown[], resource: string): Promise<Record<number, any>> {
  const unique = [...new Set(ids.filter((x): x is number => typeof x === 'number'))];
  const out: Record<number, any> = {};
  for (let i = 0; i < unique.length; i += 500) {
    const chunk = unique.slice(i, i + 500);
    const { data } = await dp.getList(resource, { filter: { id: chunk }, pagination: { page: 1, perPage: chunk.length }, sort: { field: 'lastName', order: 'ASC' } });
    for (const p of data) out[p.id as number] = p;
  }
  return out;
}

export const requestsExporter: Exporter = async (records, _related, dp) => {
  const passengers = await peopleById(dp, records.map((r) => r.passengerId), 'passengers');
  download(frenchCsv<any>([
    { header: 'N°', value: (r) => r.id },
    { header: 'Passager', value: (r) => fullName(passengers[r.passengerId]) },
    { header: 'Départ', value: (r) => r.fromLabel },
    { header: 'Arrivée', value: (r) => r.toLabel },
    { header: 'Date', value: (r) => frDay(r.date) },
    { header: 'Jours', value: (r) => codes('weekdays')(r.weekdays) },
    { header: 'Heure', value: (r) => r.time },
    { header: 'Heure de', value: (r) => code('timeKind')(r.timeKind) },
    { header: 'Retour', value: (r) => returnText(r)?.replace('Retour : ', '') ?? 'aller simple' },
    { header: 'Places', value: (r) => r.seats },
    { header: 'Motif', value: (r) => code('purposes')(r.purpose) },
    { header: 'Besoins', value: (r) => codes('needs')(r.needs) },
    { header: 'Statut', value: (r) => code('requestStatus')(r.status) },
    { header: 'Créée le (heure de Paris)', value: (r) => parisDateTime(r.createdAt) },
  ], records), 'demandes');
};

export const matchesExporter: Exporter = async (records) => {
  download(frenchCsv<any>([
    { header: 'N°', value: (r) => r.id },
    { header: 'Demande', value: (r) => r.requestId },
    { header: 'Passager', value: (r) => r.passengerName ?? '' },
    { header: 'Conducteur', value: (r) => r.driverName ?? '' },
    { header: 'Date', value: (r) => frDay(r.date) },
    { header: 'Sens', value: (r) => (r.requestLeg === 'return' ? 'retour' : 'aller') },
    { header: 'Prise en charge', value: (r) => r.pickup?.time ?? '' },
    { header: 'Dépose', value: (r) => r.dropoff?.time ?? '' },
    { header: 'Détour (min)', value: (r) => Math.round(r.detourS / 60) },
    { header: 'Détour (km)', value: (r) => Math.round(r.detourM / 100) / 10 },
    { header: 'Statut', value: (r) => code('matchStatus')(r.status) },
    { header: 'Modifiée le (heure de Paris)', value: (r) => parisDateTime(r.statusChangedAt) },
  ], records), 'mises-en-relation');
};

export const tripsExporter: Exporter = async (records, _related, dp) => {
  const drivers = await peopleById(dp, records.map((r) => r.driverId), 'drivers');
  download(frenchCsv<any>([
    { header: 'N°', value: (r) => r.id },
    { header: 'Conducteur', value: (r) => fullName(drivers[r.driverId]) },
    { header: 'Type', value: (r) => code('tripKind')(r.kind) },
    { header: 'Jours', value: (r) => codes('weekdays')(r.weekdays) },
    { header: 'Date', value: (r) => frDay(r.date) },
    { header: 'Départ', value: (r) => r.departureTime },
    { header: 'Retour', value: (r) => r.returnTime ?? '' },
    { header: 'Origine', value: (r) => r.originLabel },
    { header: 'Destination', value: (r) => r.destinationLabel },
    { header: 'Places', value: (r) => r.seats },
    { header: 'Actif', value: (r) => yesNo(r.active) },
  ], records), 'trajets');
};

export const peopleExporter: Exporter = async (records) => {
  download(frenchCsv<any>([
    { header: 'Nom', value: (r) => r.lastName },
    { header: 'Prénom', value: (r) => r.firstName },
    { header: 'Téléphone', value: (r) => r.phone },
    { header: 'Commune', value: (r) => r.communeName },
    { header: 'Conducteur', value: (r) => yesNo(r.isDriver) },
    { header: 'Passager', value: (r) => yesNo(r.isPassenger) },
    { header: 'Accepte le contact direct', value: (r) => yesNo(r.directContactConsent) },
    { header: 'Besoins', value: (r) => codes('needs')(r.needs) },
  ], records), 'personnes');
};
