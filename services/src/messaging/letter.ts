import PDFDocument from 'pdfkit';
import type { MessageKind } from './templates.ts';

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

/** A printable A4 letter: the title, then the message one fact a line, in large type. */
export function letterPdf(kind: MessageKind, body: string, territoryName: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 60, info: { Title: TITLES[kind], Author: 'CoMobi' } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.font('Helvetica').fontSize(14).fillColor('#333333').text(`CoMobi · transport solidaire · ${territoryName}`);
    doc.moveDown(1.5);
    doc.font('Helvetica-Bold').fontSize(TITLE_PT).fillColor('black').text(TITLES[kind]);
    doc.moveDown(0.8);
    doc.font('Helvetica').fontSize(TEXT_PT);
    for (const line of body.split('\n')) {
      if (line.trim()) doc.text(line, { lineGap: 6 });
      else doc.moveDown(0.8);
    }
    doc.end();
  });
}
