import PDFDocument from 'pdfkit';
import type { TusReport } from '../../domain/tus-report.ts';
import { frenchCsv, parisDateTime } from '../../http/french-csv.ts';

/** A number the French way: 1 234,5. */
const n = (v: number | null, digits = 0, unit = '') =>
  v === null ? 'non renseigné' : `${v.toLocaleString('fr-FR', { minimumFractionDigits: digits, maximumFractionDigits: digits }).replace(/\u202f|\u00a0/g, ' ')}${unit}`;
const eur = (v: number | null) => (v === null ? 'non suivi' : n(v, 2, ' €'));

/** The report as sections of (heading, value) lines: the CSV, the PDF and the console page say the same. */
export function reportLines(r: TusReport): { section: string; lines: [string, string][] }[] {
  return [
    {
      section: 'Association',
      lines: [
        ['Nom', r.association.name ?? 'non renseigné'],
        ['Numéro RNA', r.association.rna ?? 'non renseigné'],
        ['Adresse', r.association.address ?? 'non renseignée'],
        ['Salariés', n(r.association.employees)],
        ['Bénévoles (conducteurs bénévoles ayant roulé)', n(r.volunteerDrivers)],
        ['Conducteurs bénévoles inscrits', n(r.registeredVolunteers)],
        ['Adhérents', n(r.members)],
        ['Cotisations encaissées', eur(r.memberFeesEur)],
      ],
    },
    {
      section: 'Activité de transport d’utilité sociale',
      lines: [
        ['Conducteurs', n(r.drivers)],
        ['dont bénévoles', n(r.volunteerDrivers)],
        ['Bénéficiaires transportés', n(r.beneficiaries)],
        ['au titre de la résidence', `${n(r.byResidence)} (${n(r.shareByResidencePct, 1, ' %')})`],
        ['au titre des ressources', `${n(r.byResources)} (${n(r.shareByResourcesPct, 1, ' %')})`],
        ['sans justificatif enregistré', n(r.withoutRecord)],
        ['Véhicules de l’association', `${n(r.vehicles.owned.count)}`],
        ['Véhicules mis à disposition à titre non lucratif', n(r.vehicles.lent.count)],
        ['Capacité moyenne (places passagers)', n(r.vehicles.lent.meanCapacity, 1)],
        ['Participation aux coûts demandée (total)', eur(r.participationEur)],
        ['Participation moyenne par trajet', eur(r.meanParticipationEur)],
        ['Règles de prise en charge', r.association.careRules ?? 'non renseignées'],
      ],
    },
    {
      section: 'Trajets réalisés',
      lines: [
        ['Nombre de trajets', n(r.trips)],
        ['Distance moyenne par trajet (à vol d’oiseau)', n(r.meanDistanceKm, 1, ' km')],
        ['Distance moyenne des trajets bénévoles (aller-retour depuis le domicile)', n(r.meanVolunteerDistanceKm, 1, ' km')],
        ['Trajets servis par dérogation', n(r.exceptions)],
      ],
    },
  ];
}

export const reportTitle = (r: TusReport) => `Rapport annuel ${r.year} — transport d’utilité sociale — ${r.territory.name}`;

/** French CSV (`;`, BOM, decimal comma): one line per figure, under its section. */
export function reportCsv(r: TusReport): string {
  const rows = reportLines(r).flatMap((s) => s.lines.map(([k, v]) => ({ section: s.section, k, v })));
  return frenchCsv(
    [
      { header: 'Rubrique', value: (x: (typeof rows)[number]) => x.section },
      { header: 'Indicateur', value: (x) => x.k },
      { header: 'Valeur', value: (x) => x.v },
    ],
    rows,
  );
}

/** A4, printable: the figures the arrêté of 17 October 2019 asks for, in French. */
export function reportPdf(r: TusReport): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: reportTitle(r), Author: 'CoMobi' } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.font('Helvetica').fontSize(10).fillColor('#444444')
      .text(`Informations à transmettre au préfet de département avant le 1er mars ${r.year + 1} (art. R3133-5 du code des transports, arrêté du 17 octobre 2019)`);
    doc.moveDown(1);
    doc.font('Helvetica-Bold').fontSize(18).fillColor('black').text(`Rapport annuel ${r.year}`);
    doc.font('Helvetica').fontSize(13).text(`Transport d’utilité sociale — ${r.territory.name}`);
    doc.fontSize(10).fillColor('#444444').text(`Année civile du 01/01/${r.year} au 31/12/${r.year} · établi le ${parisDateTime(r.generatedAt)}`);
    doc.fillColor('black');
    for (const s of reportLines(r)) {
      doc.moveDown(1.2);
      doc.font('Helvetica-Bold').fontSize(13).text(s.section);
      doc.moveDown(0.3);
      for (const [k, v] of s.lines) {
        const y = doc.y;
        // Sub-figures ("dont bénévoles", "au titre de…") start lower-case: indented under their total.
        const sub = k[0] === k[0].toLowerCase() ? 14 : 0;
        doc.font('Helvetica').fontSize(11).text(k, 50 + sub, y, { width: 300 - sub });
        const after = doc.y;
        doc.font('Helvetica-Bold').text(v, 360, y, { width: 185, align: 'right' });
        doc.y = Math.max(after, doc.y) + 3;
        doc.x = 50;
      }
    }
    doc.moveDown(2);
    doc.font('Helvetica').fontSize(9).fillColor('#444444').text(
      'Comptes établis à partir des trajets réalisés enregistrés dans CoMobi. La participation aux coûts est plafonnée à 0,32 € par kilomètre parcouru.',
      50,
    );
    doc.end();
  });
}
