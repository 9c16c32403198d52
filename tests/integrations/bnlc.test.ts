import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importBnlc } from '../../services/src/bnlc/import.ts';
import { nearestCarpoolAreas } from '../../services/src/bnlc/nearest.ts';
import { bnlcPlugin } from '../../services/src/bnlc/plugin.ts';
import { validateTable } from '../../services/src/bnlc/table-schema.ts';
import { BNLC_SCHEMA } from '../../services/src/bnlc/import.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { examplesBehave, nationalFile } from './bnlc-cases.ts';

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer({ plugins: () => [bnlcPlugin()] });
});
afterAll(async () => srv?.close());

describe('BNLC carpool areas', () => {
  it('imports the valid example, rejects the invalid one with line and column', async () => {
    await examplesBehave(srv.booted.services.db);
  });

  it('names the line, the column and a stable code for each kind of error', () => {
    const header = 'id_lieu;nom_lieu;ad_lieu;com_lieu;insee;type;date_maj;ouvert;source;Xlong;Ylat;nbre_pl;nbre_pmr;duree;horaires;proprio;lumiere;comm';
    const ok = '46042-C-001;Aire;;;46042;Aire de covoiturage;2024-01-02;true;;1.6;44.4;10;;;;;;';
    const { errors } = validateTable([header, ok, ok, '46042-C-002;;;;4604;Parking lot;2024-13-01;oui;;200;44.4;-1;;;;;;', '1;2'].join('\n'), BNLC_SCHEMA);
    const codes = errors.map((e) => `${e.line}:${e.column}:${e.code}`);
    expect(codes).toEqual([
      '3:id_lieu:duplicate_key',
      '4:nom_lieu:required', '4:insee:pattern', '4:type:enum', '4:date_maj:type', '4:ouvert:type', '4:Xlong:maximum', '4:nbre_pl:minimum',
      '5::column_count',
    ]);
    expect(validateTable('a;b\n1;2', BNLC_SCHEMA).errors[0]).toMatchObject({ code: 'missing_column', line: 1, column: 'id_lieu' });
  });

  it('imports the national file and serves GET /api/carpool-areas', async () => {
    const { imported } = await importBnlc(srv.booted.services.db, nationalFile());
    expect(imported).toBe(2473);
    // Ambérieu-en-Bugey station (01004-C-001 and C-002 stand 260 m apart).
    const res = await srv.api('GET', '/api/carpool-areas?near=5.3412,45.9566&radiusM=1000&limit=2');
    expect(res.status).toBe(200);
    expect(res.body.map((a: any) => a.id)).toEqual(['01004-C-001', '01004-C-002']);
    expect(res.body[0]).toMatchObject({ name: "Parking intermodal Gare d'Ambérieu en Bugey", type: 'Parking', places: 218 });
    const bad = await srv.api('GET', '/api/carpool-areas?near=5.3,95&radiusM=1000');
    expect(bad.status).toBe(400);
    expect(bad.body.fields[0].field).toMatch(/^near/);
    expect((await srv.api('GET', '/api/carpool-areas?near=5.3,45.9', undefined, null)).status).toBe(401);
    expect(await nearestCarpoolAreas(srv.booted.services.db, [5.3412, 45.9566], 1000, 1)).toHaveLength(1);
  });
});
