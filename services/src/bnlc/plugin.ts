import type { Plugin } from '../context.ts';
import { carpoolAreaRoutes } from './routes.ts';

/** National carpool areas (BNLC) as meeting points: GET /api/carpool-areas. */
export function bnlcPlugin(): Plugin {
  return {
    api(api, s) {
      const r = carpoolAreaRoutes(s);
      api.use(r.routes(), r.allowedMethods());
    },
  };
}
