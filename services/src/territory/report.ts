import type { FileIssue } from './communes-file.ts';
import type { BnlcAttachReport, RoadsReport } from './attach.ts';
import { BNLC_MARGIN_M, ROAD_REACH_M } from './attach.ts';
import type { AddressesHint } from './addresses.ts';
import type { FeedImportResult, FeedSearchReport } from './feeds.ts';
import type { SetupReport } from './setup.ts';

/** What the set-up did, in French for the person running it; figures first, then the accounts (shown once). */

const list = (items: string[], max = 10) =>
  items.length > max ? `${items.slice(0, max).join(', ')}… (+${items.length - max})` : items.join(', ');
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n > 1 ? many : one}`;
const seconds = (ms: number) => `${(ms / 1000).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} s`;

export function formatReport(r: SetupReport, ctx: { file: string; database: string; ms: number; storeMs?: number }): string {
  const c = r.communes;
  const changed =
    r.created || r.renamedFrom !== null || r.boundaryChanged ||
    c.added.length + c.renamed.length + c.reshaped.length + c.removed.length + c.kept.length > 0;
  const lines: string[] = [];
  const what = r.created ? 'créé' : changed ? 'mis à jour' : 'déjà à jour : rien n’a changé';
  lines.push(`Territoire « ${r.name} » (${r.slug}, n° ${r.territoryId}) ${what} — depuis ${ctx.file}, base ${ctx.database}, ${seconds(ctx.ms)}`);
  if (r.renamedFrom) lines.push(`  nom : « ${r.renamedFrom} » → « ${r.name} »`);
  lines.push(
    `Communes : ${c.total} — ${plural(c.added.length, 'ajoutée')}, ${plural(c.renamed.length, 'renommée')}, ` +
      `${plural(c.reshaped.length, 'contour modifié', 'contours modifiés')}, ${plural(c.removed.length, 'retirée')}, ` +
      `${plural(c.kept.length, 'gardée')} car utilisée${c.kept.length > 1 ? 's' : ''}, ${plural(c.unchanged, 'inchangée')}`,
  );
  if (!r.created && c.added.length) lines.push(`  ajoutées : ${list(c.added.map((x) => `${x.insee} ${x.name}`))}`);
  if (c.renamed.length) lines.push(`  renommées : ${list(c.renamed.map((x) => `${x.insee} ${x.from} → ${x.to}`))}`);
  if (c.reshaped.length) lines.push(`  contours modifiés : ${list(c.reshaped.map((x) => `${x.insee} ${x.name}`))}`);
  if (c.removed.length) lines.push(`  retirées : ${list(c.removed.map((x) => `${x.insee} ${x.name}`))}`);
  if (c.kept.length)
    lines.push(`  absentes du fichier mais gardées (des personnes, trajets ou demandes s’y rattachent) : ${list(c.kept.map((x) => `${x.insee} ${x.name}`))}`);
  lines.push(`Périmètre : union des communes${r.boundaryChanged ? ', enregistré' : ', inchangé'}`);
  const e = r.enrichment;
  lines.push(`Codes postaux : ${e.postalCodes}/${c.total - c.kept.length}, populations : ${e.populations}/${c.total - c.kept.length} (Code officiel géographique, @etalab/decoupage-administratif)`);
  if (e.merged.length) lines.push(`  fusionnées depuis l’édition du fichier (sans population propre) : ${list(e.merged.map((x) => `${x.insee} ${x.name} → ${x.into}`))}`);
  if (e.unknown.length) lines.push(`  inconnues du référentiel (ni code postal ni population) : ${list(e.unknown.map((x) => `${x.insee} ${x.name}`))}`);
  if (r.created) lines.push('Règles de mise en relation : celles par défaut (un compte d’administration les change dans la console)');
  for (const a of r.accountsCreated) {
    const label = a.role === 'admin' ? 'Compte d’administration' : 'Compte de coordination';
    lines.push(`${label} : ${a.email} — mot de passe : ${a.password} (affiché une seule fois)`);
  }
  for (const a of r.accountsKept) lines.push(`${a.role === 'admin' ? 'Compte d’administration' : 'Compte de coordination'} : ${a.email} — existe déjà, mot de passe inchangé`);
  if (r.token?.created) lines.push(`Jeton d’API d’intégration : ${r.token.created} (affiché une seule fois)`);
  else if (r.token?.existing) lines.push('Jeton d’API d’intégration : existe déjà (non réaffiché ; le révoquer dans la console pour en créer un autre)');
  const names: Record<string, string> = { read: 'lecture', validate: 'contrôles', communes: 'communes', boundary: 'périmètre', accounts: 'comptes' };
  const store = ctx.storeMs === undefined ? '' : `base (ouverture, migrations) ${seconds(ctx.storeMs)}, `;
  lines.push(`Durées : ${store}${r.steps.map((s) => `${names[s.step] ?? s.step} ${seconds(s.ms)}`).join(', ')}`);
  return lines.join('\n');
}

export function formatIssue(file: string, i: FileIssue, departement?: string): string {
  if (i.field === 'departement') return `--departement ${departement ?? ''} : ${i.reason}`;
  if (i.feature === null) return `${file} : ${i.reason}`;
  return `${file} : feature ${i.feature}${i.insee ? ` (INSEE ${i.insee})` : ''}, ${i.field} : ${i.reason} [${i.code}]`;
}

export function formatBnlc(territory: string, file: string, r: BnlcAttachReport): string {
  return (
    `Aires de covoiturage (BNLC, ${file}) : ${r.inZone} sur ${r.inFile} dans le périmètre de ${territory} ou à moins de ` +
    `${BNLC_MARGIN_M / 1000} km — ${plural(r.added, 'ajoutée')}, ${plural(r.updated, 'mise à jour', 'mises à jour')}, ` +
    `${plural(r.removed, 'retirée')} (absentes de cette édition) ; ${seconds(r.ms)}`
  );
}

export interface RoadsUse {
  slug: string;
  polygon: string;
  marginM: number;
  osrmUrl?: string;
}

export function formatRoads(territory: string, file: string, r: RoadsReport, use?: RoadsUse): string {
  const lines = [
    `Routes (${file}) : ${r.ways.toLocaleString('fr-FR')} voies, ${r.nodes.toLocaleString('fr-FR')} nœuds ; ` +
      `${r.covered}/${r.communes} communes de ${territory} ont une route à moins de ${ROAD_REACH_M / 1000} km de leur centre ; ${seconds(r.ms)}`,
  ];
  if (r.uncovered.length) lines.push(`  hors de l’extrait : ${list(r.uncovered.map((c) => `${c.insee} ${c.name}`))}`);
  lines.push(
    r.covered === r.communes
      ? `  pour s’en servir : ROAD_NETWORK=${file} (routeur intégré ; un seul extrait pour tous les territoires servis) ou OSRM_URL (deploy/README.md)`
      : '  cet extrait ne couvre pas tout le territoire : les trajets hors de lui restent estimés en ligne droite (approximate) ; prendre un extrait qui couvre tous les territoires servis',
  );
  if (!use) return lines.join('\n');
  const clipped = use.polygon.replace(/\.geojson$/, '.osm.pbf');
  lines.push(
    `  découpage (routeur intégré) : fait par osmium, pas par cette commande ; contour du territoire + ${use.marginM / 1000} km écrit dans ${use.polygon}`,
    `    osmium extract --polygon ${use.polygon} ${file} -o ${clipped} --overwrite`,
    `    puis ROAD_NETWORK=${clipped}`,
  );
  lines.push(
    use.osrmUrl
      ? `  OSRM (OSRM_URL=${use.osrmUrl}) sert les itinéraires : préparer le graphe (profil voiture, MLD) depuis l’extrait qui couvre tous les territoires servis`
      : '  avec OSRM (OSRM_URL, deploy/README.md) : préparer le graphe (profil voiture, MLD) depuis l’extrait qui couvre tous les territoires servis',
    '    osrm-extract -p /opt/car.lua region.osm.pbf && osrm-partition region.osrm && osrm-customize region.osrm',
    '    avec docker compose : copier l’extrait en deploy/osrm/region.osm.pbf, puis docker compose run --rm osrm-prepare && docker compose restart osrm',
  );
  return lines.join('\n');
}

const coverLabel: Record<string, string> = { commune: 'commune', epci: 'EPCI', departement: 'département', region: 'région' };

/** What the access point holds for the territory; with results, how each import went and how long it took. */
export function formatFeeds(territory: string, api: string, s: FeedSearchReport, results: FeedImportResult[] | null): string {
  const lines = [
    `Offres de transport (GTFS, GTFS-Flex, ${api}) : ${plural(s.covering.length, 'jeu')} de données sur ${s.listed} couvre${s.covering.length > 1 ? 'nt' : ''} ${territory} ; ${seconds(s.ms)}`,
  ];
  for (const f of s.covering) {
    lines.push(`  ${f.dataset.id}  ${f.dataset.title} — ressource ${f.resource.id} ${f.resource.title} (zone : ${coverLabel[f.by.kind]} ${f.by.nom}, ${f.by.insee})`);
  }
  if (s.notGtfs.length) lines.push(`  sans ressource GTFS (non importables) : ${list(s.notGtfs.map((d) => `${d.id} ${d.title}`))}`);
  if (s.national) lines.push(`  ${plural(s.national, 'jeu national', 'jeux nationaux')} non importé${s.national > 1 ? 's' : ''} d’office (npm run gtfs-import -- pan <id> --territory …)`);
  if (results === null) {
    lines.push(s.covering.length ? '  --dry-run : rien n’a été importé' : '  rien à importer');
    return lines.join('\n');
  }
  for (const r of results) {
    const took = `téléchargement ${seconds(r.downloadMs)}, import ${seconds(r.importMs)}`;
    if (r.error) lines.push(`  ${r.feed.dataset.slug} : échec — ${r.error} (${took})`);
    else {
      const rows = r.report!.files.reduce((n, f) => n + f.rows, 0);
      lines.push(`  ${r.feed.dataset.slug} : importé, version ${r.report!.version.version}, ${rows.toLocaleString('fr-FR')} lignes (${took})`);
    }
  }
  return lines.join('\n');
}

/** The compose stack's addok (deploy/addok/README.md) loads one file: deploy/addok/addresses.ndjson.gz. */
export function formatAddresses(territory: string, h: AddressesHint): string {
  const name = (u: string) => u.slice(u.lastIndexOf('/') + 1);
  const files = h.addok.map(name);
  const target = 'deploy/addok/addresses.ndjson.gz';
  return [
    `Adresses (Base Adresse Nationale, pour addok) : ${plural(h.departements.length, 'département')} pour ${territory} (${h.departements.join(', ')}) — ${h.csv.map(name).join(', ')} ; rien n’a été téléchargé`,
    `  fichiers au format CSV : ${h.csv.join(' ')}`,
    `  addok charge leur édition addok (${files.join(', ')}), mis bout à bout dans ${target} :`,
    ...h.addok.map((u) => `    curl -fsSLO ${u}`),
    `    cat ${files.join(' ')} > ${target}`,
    '    docker compose run --rm addok-prepare && docker compose restart addok',
  ].join('\n');
}
