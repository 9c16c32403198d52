import type Router from '@koa/router';
import type { Services } from '../../context.ts';
import type { PublicConfig } from '../config.ts';
import type { FranceConnect } from '../franceconnect.ts';
import { publicKit } from '../kit.ts';
import { accountRoutes } from './account.ts';
import { askRoutes } from './ask.ts';
import { franceConnectRoutes } from './franceconnect.ts';
import { homeRoutes } from './home.ts';
import { infoRoutes } from './info.ts';
import { offerRoutes } from './offer.ts';
import { volunteerRoutes } from './volunteer.ts';

/** The public pages: server-rendered DSFR HTML, French text, forms that work without JavaScript; one module a page. */
export function publicRoutes(root: Router, s: Services, c: PublicConfig, fc: FranceConnect | null) {
  const k = publicKit(s, c, fc);
  for (const pageRoutes of [homeRoutes, offerRoutes, volunteerRoutes, askRoutes, accountRoutes, infoRoutes, franceConnectRoutes])
    pageRoutes(root, k);
}
