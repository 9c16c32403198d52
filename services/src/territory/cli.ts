import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig } from '../config.ts';
import { openDb, type Db } from '@comobi/db';
import { defaultApiUrl, GtfsError, stepProgress, type StepProgress } from '@comobi/gtfs-import';
import { migrate } from '../schema.ts';
import { BnlcInvalid } from '../bnlc/import.ts';
import { territoryBySlug } from '../domain/territories.ts';
import { attachBnlc, BNLC_MARGIN_M, checkRoads, writeRoadPolygon } from './attach.ts';
import { CommuneFileInvalid } from './communes-file.ts';
import { findCoveringFeeds, importCoveringFeeds } from './feeds.ts';
import { addressesHint } from './addresses.ts';
import { formatAddresses, formatBnlc, formatFeeds, formatIssue, formatReport, formatRoads } from './report.ts';
import { setUpTerritory } from './setup.ts';

/**
 * npm run territory -- create --name NAME --communes FILE [options]: sets a territory up from its official commune
 * file, on DATABASE_URL or the embedded store in DATA_DIR (the same as `npm start`; stop the service first there:
 * the embedded store has one process at a time).
 */
const USAGE = `usage : npm run territory -- create --name NOM --communes FICHIER.geojson [options]
  --departement CODE        ne garder que les communes de ce département (fichier national ou régional)
  --slug SLUG               identifiant du territoire (par défaut : tiré du nom, ex. correze)
  --coordinator-phone TEL   numéro de la coordination, affiché au public
  --coordinator-email MEL   identifiant du premier compte de coordination (par défaut : coordination.<slug>@comobi.local)
  --admin-email MEL         crée aussi un compte d'administration (tous les territoires)
  --token                   crée un jeton d'API d'intégration pour ce territoire

       npm run territory -- attach --territory SLUG (ou --slug SLUG) [--bnlc FICHIER.csv] [--roads FICHIER.osm.pbf] [--gtfs [--dry-run]] [--addresses]
  --bnlc FICHIER            aires de covoiturage de la base nationale (BNLC) dans le périmètre et à ${BNLC_MARGIN_M / 1000} km autour
  --roads FICHIER           vérifie qu'un extrait OpenStreetMap couvre les communes du territoire ; écrit le contour + 10 km pour osmium
  --gtfs                    importe les offres GTFS et GTFS-Flex du point d’accès national qui couvrent le territoire
  --addresses               indique les fichiers de la Base Adresse Nationale (par département) et la commande d’import addok
  --dry-run                 avec --gtfs : liste ce qui serait importé, sans rien importer`;

const email = z.string().trim().toLowerCase().email();

const fail = (message: string): never => {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
};

const readable = (file: string) => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    console.error(`${file} : illisible (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    process.exit(1);
  }
};

async function create(args: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      communes: { type: 'string' },
      departement: { type: 'string' },
      slug: { type: 'string' },
      'coordinator-phone': { type: 'string' },
      'coordinator-email': { type: 'string' },
      'admin-email': { type: 'string' },
      token: { type: 'boolean', default: false },
    },
    strict: true,
  });
  } catch (e) {
    return fail((e as Error).message);
  }
  const { values } = parsed;
  if (!values.name?.trim()) fail('--name est obligatoire');
  if (!values.communes) fail('--communes est obligatoire');
  for (const k of ['coordinator-email', 'admin-email'] as const) {
    if (values[k] !== undefined && !email.safeParse(values[k]).success) fail(`--${k} : « ${values[k]} » n’est pas une adresse e-mail`);
  }
  if (values.slug !== undefined && !/^[a-z0-9-]{2,40}$/.test(values.slug)) fail('--slug : 2 à 40 caractères parmi a-z, 0-9 et -');
  const file = values.communes!;
  const text = readable(file);

  const config = loadConfig();
  const t0 = performance.now();
  const db = await openDb(config);
  try {
    await migrate(db);
    const storeMs = performance.now() - t0;
    const report = await setUpTerritory(db, {
      name: values.name!.trim(),
      slug: values.slug,
      communesGeoJSON: text,
      departement: values.departement,
      coordinatorPhone: values['coordinator-phone'],
      coordinatorEmail: values['coordinator-email'],
      adminEmail: values['admin-email'],
      token: values.token,
    });
    console.log(formatReport(report, { file, database: db.kind, ms: performance.now() - t0, storeMs }));
  } catch (e) {
    if (!(e instanceof CommuneFileInvalid)) throw e;
    const shown = e.issues.slice(0, 50);
    for (const i of shown) console.error(formatIssue(file, i, values.departement));
    if (e.issues.length > shown.length) console.error(`… et ${e.issues.length - shown.length} autres`);
    console.error(`rien n’a été enregistré (${e.issues.length} problème${e.issues.length > 1 ? 's' : ''})`);
    process.exitCode = 1;
  } finally {
    await db.close();
  }
}

/** Attached data, each step with what it found and how long it took; GTFS feeds are imported by gtfs-import. */
async function attach(args: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        territory: { type: 'string' },
        slug: { type: 'string' },
        bnlc: { type: 'string' },
        roads: { type: 'string' },
        gtfs: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        addresses: { type: 'boolean', default: false },
      },
      strict: true,
    });
  } catch (e) {
    return fail((e as Error).message);
  }
  const { values } = parsed;
  values.territory ??= values.slug;
  if (!values.territory) fail('--territory est obligatoire (le slug donné par create, ex. correze)');
  if (!values.bnlc && !values.roads && !values.gtfs && !values.addresses) fail('rien à rattacher : --bnlc, --roads, --gtfs et/ou --addresses');
  if (values['dry-run'] && !values.gtfs) fail('--dry-run ne vaut qu’avec --gtfs');
  if (values.roads && !fs.existsSync(values.roads)) {
    console.error(`${values.roads} : introuvable`);
    process.exit(1);
  }
  const csv = values.bnlc ? readable(values.bnlc) : null;
  const config = loadConfig();
  const db = await openDb(config);
  try {
    await migrate(db);
    const t = await territoryBySlug(db, values.territory!);
    if (!t) {
      console.error(`--territory ${values.territory} : aucun territoire de ce slug (créez-le d’abord avec create)`);
      process.exitCode = 1;
      return;
    }
    if (csv !== null) {
      try {
        console.log(formatBnlc(t.name, values.bnlc!, await attachBnlc(db, t.id, csv)));
      } catch (e) {
        if (!(e instanceof BnlcInvalid)) throw e;
        for (const err of e.errors.slice(0, 50)) console.error(`${values.bnlc}:${err.line}: ${err.column}: [${err.code}] ${err.message}`);
        console.error('aires de covoiturage : rien n’a été enregistré');
        process.exitCode = 1;
      }
    }
    if (values.roads) {
      const check = await checkRoads(db, t.id, values.roads);
      const { file: polygon, marginM } = await writeRoadPolygon(db, t.id, path.join(config.DATA_DIR, `roads-${values.territory}.geojson`));
      console.log(formatRoads(t.name, values.roads, check, { slug: values.territory!, polygon, marginM, osrmUrl: config.OSRM_URL }));
    }
    if (values.addresses) console.log(formatAddresses(t.name, await addressesHint(db, t.id)));
    if (values.gtfs) await attachFeeds(db, t, config.DATA_DIR, values['dry-run']);
  } finally {
    await db.close();
  }
}

/** Feeds covering the territory on the access point (TDG_API_URL, as gtfs-import), imported one by one. */
async function attachFeeds(db: Db, t: { id: number; name: string }, dataDir: string, dryRun: boolean) {
  const api = process.env.TDG_API_URL || defaultApiUrl;
  let found;
  try {
    found = await findCoveringFeeds(db, t.id, api);
  } catch (e) {
    if (!(e instanceof GtfsError)) throw e;
    console.error(`offres de transport : point d’accès injoignable (${e.message}) ; rien n’a été importé`);
    process.exitCode = 1;
    return;
  }
  if (dryRun || !found.covering.length) {
    console.log(formatFeeds(t.name, api, found, null));
    return;
  }
  // One bar per long step on a terminal (the download, then each file's rows); plain lines elsewhere.
  let bar: StepProgress | null = null;
  let step = '';
  let bytes = 0;
  const end = (summary: string) => {
    bar?.done(summary);
    bar = null;
    step = '';
  };
  const results = await importCoveringFeeds(db, t.id, found.covering, dataDir, {
    onDownload: (f, received, total) => {
      bytes = received;
      if (!bar) (bar = stepProgress(process.stderr, `${f.dataset.slug} téléchargement`, 'octets')), (step = 'download');
      bar.update(received, total);
    },
    onImport: (f, p) => {
      if (step === 'download') end(`${bytes} octets`);
      if (step !== p.file) {
        end('chargé');
        bar = stepProgress(process.stderr, `${f.dataset.slug} ${p.file}`, 'lignes');
        step = p.file;
      }
      bar!.update(p.rows, null);
      if (p.done) end(`${p.rows} lignes`);
    },
    onDone: (r) => end(r.error ? 'échec' : 'terminé'),
  });
  console.log(formatFeeds(t.name, api, found, results));
  if (results.some((r) => r.error)) process.exitCode = 1;
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'create') await create(rest);
else if (command === 'attach') await attach(rest);
else {
  console.error(command ? `commande inconnue : ${command}\n${USAGE}` : USAGE);
  process.exitCode = 2;
}
