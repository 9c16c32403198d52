import PDFDocument from 'pdfkit';
import type { WeekTrip } from '../domain/messages.ts';
import { frenchDate, frenchTime, spokenDate, type MessageKind } from './templates.ts';

/** Large type for readers with poor sight: 20 pt text, 30 pt title (the usual "gros caractères" sizes). */
const TEXT_PT = 20;
const TITLE_PT = 30;

const TITLES: Record<MessageKind, string> = {
  confirmation: 'Votre trajet est confirmé',
  reminder: 'Rappel de votre trajet',
  cancellation: 'Trajet annulé',
  driver_request: 'Une demande de trajet',
  reply: 'Message de la coordination',
};

function pdf(title: string, territoryName: string, write: (doc: PDFKit.PDFDocument) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 60, info: { Title: title, Author: 'CoMobi' } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.font('Helvetica').fontSize(14).fillColor('#333333').text(`CoMobi · transport solidaire · ${territoryName}`);
    doc.moveDown(1.5);
    doc.font('Helvetica-Bold').fontSize(TITLE_PT).fillColor('black').text(title);
    doc.moveDown(0.8);
    doc.font('Helvetica').fontSize(TEXT_PT);
    write(doc);
    doc.end();
  });
}

const lines = (doc: PDFKit.PDFDocument, text: string) => {
  for (const line of text.split('\n')) {
    if (line.trim()) doc.text(line, { lineGap: 6 });
    else doc.moveDown(0.8);
  }
};

/** A printable A4 letter: the title, then the message one fact a line, in large type. */
export const letterPdf = (kind: MessageKind, body: string, territoryName: string) =>
  pdf(TITLES[kind], territoryName, (doc) => lines(doc, body));

/** A driver's week on one sheet: each trip's day, time, meeting place and passenger, in large type. */
export function weekSheetPdf(
  w: { driverName: string | null; territory: string; coordinatorPhone: string | null; trips: WeekTrip[] },
  from: string,
): Promise<Buffer> {
  const to = new Date(`${from}T12:00:00Z`);
  to.setUTCDate(to.getUTCDate() + 6);
  return pdf('Vos trajets de la semaine', w.territory, (doc) => {
    lines(doc, `Du ${frenchDate(from)} au ${frenchDate(to.toISOString().slice(0, 10))}\n`);
    if (w.driverName) lines(doc, `Bonjour ${w.driverName},\n`);
    if (!w.trips.length) lines(doc, 'Aucun trajet prévu cette semaine.');
    for (const t of w.trips) {
      doc.font('Helvetica-Bold').text(`${spokenDate(t.date)} (${frenchDate(t.date)}) à ${frenchTime(t.pickupMin)}`, { lineGap: 4 });
      doc.font('Helvetica');
      lines(doc, `Rendez-vous : ${t.place}\nPassager : ${t.passenger}${t.phone ? ` ${t.phone}` : ''}${t.status === 'accepted' ? '\n(à confirmer par la coordination)' : ''}\n`);
    }
    lines(doc, `\nPour toute question, appelez la coordination${w.coordinatorPhone ? ' :' : '.'}`);
    if (w.coordinatorPhone) doc.font('Helvetica-Bold').text(w.coordinatorPhone);
  });
}
