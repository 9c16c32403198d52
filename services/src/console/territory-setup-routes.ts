import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { requireRole } from '../auth/principal.ts';
import type { Services } from '../context.ts';
import { HttpError, invalidFields, type FieldIssue } from '../http/errors.ts';
import { parse } from '../http/validate.ts';
import { CommuneFileInvalid, type FileIssue } from '../territory/communes-file.ts';
import { setUpTerritory } from '../territory/setup.ts';

/** A département of IGN's ADMIN EXPRESS at full resolution is a few tens of MB; france-geojson's under 1 MB. */
export const COMMUNE_FILE_LIMIT_BYTES = 64 * 1024 * 1024;

const query = z.object({
  name: z.string().trim().min(1, 'required').max(200),
  slug: z.string().regex(/^[a-z0-9-]{2,40}$/, '2 to 40 characters among a-z, 0-9 and -').optional(),
  departement: z.string().trim().regex(/^(?:\d{2,3}|2[ABab])$/, 'a département code, e.g. 19, 2A, 974').optional(),
  coordinatorPhone: z.string().trim().max(40).optional(),
  coordinatorEmail: z.string().trim().toLowerCase().email('expected an e-mail address').max(200).optional(),
  token: z.enum(['true', 'false']).default('false'),
  dryRun: z.enum(['true', 'false']).default('false'),
});

/** The file as sent (application/geo+json, up to COMMUNE_FILE_LIMIT_BYTES): the app's JSON parser leaves it alone. */
async function readFile(ctx: Context): Promise<string> {
  if (Number(ctx.get('content-length') || 0) > COMMUNE_FILE_LIMIT_BYTES) throw new HttpError(413, 'payload_too_large', 'commune file too large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > COMMUNE_FILE_LIMIT_BYTES) throw new HttpError(413, 'payload_too_large', 'commune file too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The CLI's refusals as the API's: `file.features[12].geometry`, the reason prefixed by the feature and its code. */
const asField = (i: FileIssue): FieldIssue => {
  if (i.field === 'departement') return { field: 'departement', reason: i.reason };
  if (i.feature === null) return { field: 'file', reason: i.reason };
  return { field: `file.${i.field}`, reason: `feature ${i.feature}${i.insee ? ` (INSEE ${i.insee})` : ''}: ${i.reason} [${i.code}]` };
};

/**
 * The console's territory wizard: an admin uploads the official commune file, checks it (`dryRun=true`: the same
 * checks, the boundary to show on the map, nothing kept), then creates the territory: the same set-up as
 * `npm run territory -- create`, in one transaction.
 */
export function territorySetupRoutes(api: Router, s: Services): void {
  api.post('/territory-setup', async (ctx) => {
    const p = requireRole(ctx, 'admin');
    const q = parse(query, ctx.query);
    // Sent as application/json, the app's parser has read it already (within BODY_LIMIT); geo+json is read here.
    const parsed = ctx.request.body as object | undefined;
    const text = parsed && Object.keys(parsed).length ? JSON.stringify(parsed) : await readFile(ctx);
    if (!text.trim()) throw invalidFields([{ field: 'file', reason: 'empty: send the commune file (GeoJSON) as the body' }]);
    try {
      const report = await setUpTerritory(s.db, {
        name: q.name,
        slug: q.slug,
        communesGeoJSON: text,
        departement: q.departement,
        coordinatorPhone: q.coordinatorPhone,
        coordinatorEmail: q.coordinatorEmail,
        token: q.token === 'true',
        actor: p.actor,
        dryRun: q.dryRun === 'true',
      });
      ctx.status = report.dryRun || !report.created ? 200 : 201;
      ctx.body = report;
    } catch (e) {
      if (e instanceof CommuneFileInvalid) throw invalidFields(e.issues.map(asField));
      throw e;
    }
  });
}
