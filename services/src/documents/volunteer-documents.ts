import PDFDocument from 'pdfkit';
import type { Receipt, Statement } from '../domain/statements.ts';
import { frenchCsv } from '../http/french-csv.ts';
import { frenchDate } from '../messaging/templates.ts';
import { toClock } from '../time/clock.ts';

/**
 * The volunteers' monthly statements (CSV for the accounts, PDF to hand over) and the passengers' trip receipts
 * ("carnet de voyage", to sign), in French: dd/mm/yyyy, 24 h, decimal comma.
 */
const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
export const frenchMonth = (yyyyMm: string) => `${MONTHS[Number(yyyyMm.slice(5, 7)) - 1]} ${yyyyMm.slice(0, 4)}`;
/** "15,56 €" with a plain space: the PDF's standard fonts have no narrow no-break space. */
export const euros = (n: number) => `${n.toFixed(2).replace('.', ',')} €`;
const km = (n: number) => `${n.toFixed(1).replace('.', ',')} km`;
const hhmm = (min: number) => toClock(min).replace(':', 'h');
const STATUS = { confirmed: 'confirmé', done: 'effectué' } as const;

/** Amounts with two decimals, as the accounts expect them ("15,50", not "15,5"). */
const cents = (n: number) => n.toFixed(2).replace('.', ',');

export function statementCsv(s: Statement): string {
  const rows: Record<string, string | number>[] = s.lines.map((l) => ({
    date: frenchDate(l.date),
    leave: toClock(l.leaveHomeMin),
    back: toClock(l.backHomeMin),
    passenger: l.passenger,
    from: l.from,
    to: l.to,
    round: l.roundTrip ? 'oui' : 'non',
    wait: l.waitMin ?? '',
    km: l.distanceKm.toFixed(1).replace('.', ','),
    allowance: cents(l.allowanceEur),
    participation: cents(l.participationEur),
    status: STATUS[l.status],
  }));
  rows.push({
    date: 'Total',
    passenger: `${s.totals.trips} trajet${s.totals.trips > 1 ? 's' : ''}`,
    km: s.totals.distanceKm.toFixed(1).replace('.', ','),
    allowance: cents(s.totals.allowanceEur),
    participation: cents(s.totals.participationEur),
  });
  const col = (header: string, key: string) => ({ header, value: (r: Record<string, string | number>) => r[key] ?? '' });
  return frenchCsv(
    [
      col('Date', 'date'),
      col('Départ du domicile', 'leave'),
      col('Retour au domicile', 'back'),
      col('Passager', 'passenger'),
      col('Départ', 'from'),
      col('Destination', 'to'),
      col('Aller-retour', 'round'),
      col('Attente (min)', 'wait'),
      col('Distance domicile-domicile (km)', 'km'),
      col('Indemnité kilométrique (€)', 'allowance'),
      col('Participation du passager (€)', 'participation'),
      col('Statut', 'status'),
    ],
    rows,
  );
}

function document(title: string, write: (doc: PDFKit.PDFDocument) => void, layout: 'portrait' | 'landscape' = 'portrait'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', layout, margin: 48, info: { Title: title, Author: 'CoMobi' } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    write(doc);
    doc.end();
  });
}

function header(doc: PDFKit.PDFDocument, territory: string, title: string, subtitle: string) {
  doc.font('Helvetica').fontSize(11).fillColor('#555555').text(`CoMobi · transport solidaire · ${territory}`);
  doc.moveDown(0.8);
  doc.font('Helvetica-Bold').fontSize(22).fillColor('black').text(title);
  doc.font('Helvetica').fontSize(13).fillColor('#333333').text(subtitle);
  doc.moveDown(1);
  doc.fillColor('black');
}

/** Columns of the statement's table (landscape A4: 745 pt between the margins). */
const COLUMNS: { title: string; width: number; align?: 'right' }[] = [
  { title: 'Date', width: 62 },
  { title: 'Domicile', width: 84 },
  { title: 'Passager', width: 88 },
  { title: 'Trajet', width: 238 },
  { title: 'Distance', width: 62, align: 'right' },
  { title: 'Indemnité', width: 70, align: 'right' },
  { title: 'Participation', width: 78, align: 'right' },
  { title: 'Statut', width: 63 },
];

function row(doc: PDFKit.PDFDocument, cells: string[], bold = false) {
  const y = doc.y;
  let x = doc.page.margins.left;
  let height = 0;
  doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(10);
  COLUMNS.forEach((c, i) => {
    const h = doc.heightOfString(cells[i], { width: c.width - 6 });
    height = Math.max(height, h);
    doc.text(cells[i], x, y, { width: c.width - 6, align: c.align ?? 'left' });
    x += c.width;
  });
  doc.x = doc.page.margins.left;
  doc.y = y + height + 6;
  doc
    .moveTo(doc.page.margins.left, doc.y - 3)
    .lineTo(doc.page.margins.left + COLUMNS.reduce((s, c) => s + c.width, 0), doc.y - 3)
    .lineWidth(0.5)
    .strokeColor('#bbbbbb')
    .stroke();
}

/** The month on one landscape sheet (more when needed): every trip, the totals, the signatures. */
export function statementPdf(s: Statement): Promise<Buffer> {
  const title = `Relevé mensuel de ${frenchMonth(s.month)}`;
  return document(
    title,
    (doc) => {
      header(doc, s.territory, title, `Bénévole : ${s.volunteerName}${s.homeLabel ? ` · domicile : ${s.homeLabel}` : ''}`);
      if (!s.lines.length) {
        doc.fontSize(13).text('Aucun trajet confirmé ce mois-ci.');
      } else {
        row(doc, COLUMNS.map((c) => c.title), true);
        for (const l of s.lines) {
          if (doc.y > doc.page.height - doc.page.margins.bottom - 40) {
            doc.addPage();
            row(doc, COLUMNS.map((c) => c.title), true);
          }
          // "›": the standard PDF fonts (WinAnsi) have no arrow.
          const trip = `${hhmm(l.pickupMin)} ${l.from} › ${l.to}${l.roundTrip ? ' (aller-retour' + (l.waitMin ? `, ${l.waitMin} min d’attente)` : ')') : ''}`;
          row(doc, [
            frenchDate(l.date),
            `${hhmm(l.leaveHomeMin)} – ${hhmm(l.backHomeMin)}`,
            l.passenger,
            trip,
            km(l.distanceKm),
            euros(l.allowanceEur),
            euros(l.participationEur),
            STATUS[l.status],
          ]);
        }
        row(doc, ['Total', '', `${s.totals.trips} trajet${s.totals.trips > 1 ? 's' : ''}`, '', km(s.totals.distanceKm), euros(s.totals.allowanceEur), euros(s.totals.participationEur), ''], true);
      }
      doc.moveDown(1.2);
      doc.font('Helvetica').fontSize(11).fillColor('#333333');
      doc.text(
        'Les distances sont celles du trajet complet sur la route, du domicile du bénévole à son retour. L’indemnité ' +
          'kilométrique est calculée au barème du territoire au moment où chaque trajet a été confirmé.',
        { width: 700 },
      );
      doc.moveDown(1.5);
      const y = doc.y;
      doc.fillColor('black').fontSize(12).text('Signature du bénévole :', doc.page.margins.left, y);
      doc.text('Visa de la coordination :', doc.page.margins.left + 380, y);
      if (s.coordinatorPhone) {
        doc.moveDown(4);
        doc.fontSize(11).fillColor('#333333').text(`Coordination : ${s.coordinatorPhone}`, doc.page.margins.left);
      }
    },
    'landscape',
  );
}

/** The passenger's receipt: the trip, who drove, the participation asked, two places to sign. */
export function receiptPdf(r: Receipt): Promise<Buffer> {
  const title = 'Carnet de voyage';
  return document(title, (doc) => {
    header(doc, r.territory, title, `Reçu de trajet n° ${r.matchId}, à signer par le passager et le conducteur`);
    const line = (label: string, value: string) => {
      doc.font('Helvetica-Bold').fontSize(13).text(`${label} : `, { continued: true });
      doc.font('Helvetica').text(value);
      doc.moveDown(0.3);
    };
    line('Date', r.date ? frenchDate(r.date) : 'trajet régulier');
    line('Aller', `départ ${hhmm(r.pickupMin)} — ${r.from}\narrivée vers ${hhmm(r.dropoffMin)} — ${r.to}`);
    if (r.back) line('Retour', `départ ${hhmm(r.back.pickupMin)} — ${r.to}\narrivée vers ${hhmm(r.back.dropoffMin)} — ${r.from}`);
    line('Passager', r.passengerName);
    line(r.kind === 'volunteer' ? 'Conducteur bénévole' : 'Conducteur', r.driverName);
    if (r.passengerKm !== null) line('Distance parcourue par le passager', km(r.passengerKm));
    if (r.waitMin) line('Attente du conducteur', `${r.waitMin} min`);
    doc.moveDown(0.5);
    doc.font('Helvetica-Bold').fontSize(16).text(`Participation aux frais : ${r.participationEur === null ? 'à définir avec la coordination' : euros(r.participationEur)}`);
    doc.moveDown(0.5);
    doc.font('Helvetica').fontSize(11).fillColor('#333333').text(
      r.kind === 'volunteer'
        ? 'Transport solidaire assuré par un conducteur bénévole : la participation couvre une part des frais du trajet, ce n’est pas le prix d’un service.'
        : 'Covoiturage solidaire : la participation partage les frais du trajet avec le conducteur, ce n’est pas le prix d’un service.',
    );
    doc.moveDown(2);
    doc.fillColor('black');
    const y = doc.y;
    const left = doc.page.margins.left;
    const boxW = 230;
    for (const [i, who] of ['Signature du passager', 'Signature du conducteur'].entries()) {
      const x = left + i * (boxW + 35);
      doc.fontSize(12).text(who, x, y, { width: boxW });
      doc.rect(x, y + 20, boxW, 90).lineWidth(1).strokeColor('#666666').stroke();
    }
    doc.x = left;
    doc.y = y + 130;
    if (r.coordinatorPhone) doc.fontSize(11).fillColor('#333333').text(`Pour toute question, appelez la coordination : ${r.coordinatorPhone}`);
  });
}
