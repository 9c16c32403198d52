import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig } from '../config.ts';
import { openDb } from '../db/index.ts';
import { migrate } from '../db/migrate.ts';
import { CommuneFileInvalid } from './communes-file.ts';
import { formatIssue, formatReport } from './report.ts';
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
  --token                   crée un jeton d'API d'intégration pour ce territoire`;

const email = z.string().trim().toLowerCase().email();

async function create(args: string[]) {
  const fail = (message: string): never => {
    console.error(`${message}\n${USAGE}`);
    process.exit(2);
  };
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
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    console.error(`${file} : illisible (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    process.exit(1);
  }

  const config = loadConfig();
  const t0 = performance.now();
  const db = await openDb(config);
  try {
    await migrate(db);
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
    console.log(formatReport(report, { file, database: db.kind, ms: performance.now() - t0 }));
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

const [command, ...rest] = process.argv.slice(2);
if (command === 'create') await create(rest);
else {
  console.error(command ? `commande inconnue : ${command}\n${USAGE}` : USAGE);
  process.exitCode = 2;
}
