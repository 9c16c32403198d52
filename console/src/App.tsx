import KeyIcon from '@mui/icons-material/Key';
import PlaceIcon from '@mui/icons-material/Place';
import PhoneIcon from '@mui/icons-material/PhoneInTalk';
import PlanIcon from '@mui/icons-material/EventNote';
import ReportIcon from '@mui/icons-material/Assessment';
import VolunteerIcon from '@mui/icons-material/VolunteerActivism';
import EuroIcon from '@mui/icons-material/Euro';
import { lazy, Suspense, type ComponentType } from 'react';
import { Admin, CustomRoutes, defaultDarkTheme, defaultLightTheme, Layout, Loading, Menu, Resource, type LayoutProps } from 'react-admin';
import { Route } from 'react-router';
import { authProvider } from './authProvider.ts';
import { Dashboard } from './Dashboard.tsx';
import { dataProvider } from './dataProvider.ts';
import { withFrench } from './fr/FrenchLocale.tsx';
import { i18nProvider } from './i18n.ts';
import { LoginPage } from './LoginPage.tsx';

/**
 * Every page but the dashboard loads on first use: a session opens on the dashboard, which then needs neither
 * Leaflet nor the pickers nor the lists. A page named by the address itself (a link to a request, a reload) starts
 * loading with the app's own scripts instead of after them, and the request review page, the coordinator's main
 * page, is fetched once the first page is idle. (Loading the review page lazily without this cost it a round trip:
 * 2.2 s against 1.7 s p50 in `npm run bench -- console`.)
 */
function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>, route?: RegExp) {
  let loading: Promise<{ default: ComponentType<P> }> | undefined;
  const start = () => (loading ??= load().then((c) => ({ default: c })));
  if (route?.test(window.location.hash)) void start();
  const Page = lazy(start);
  const Lazy = (props: P) => <Suspense fallback={<Loading />}><Page {...props} /></Suspense>;
  Lazy.preload = start;
  return Lazy;
}
const page = <K extends string, M extends Record<K, ComponentType<any>>>(load: () => Promise<M>, name: K, route?: RegExp) =>
  lazyPage(() => load().then((m) => m[name]), route);

const people = () => import('./resources/people.tsx');
const RequestShow = page(() => import('./requests/RequestShow.tsx'), 'RequestShow', /^#\/requests\/\d+\/show/);
const RequestList = page(() => import('./resources/requests.tsx'), 'RequestList', /^#\/requests\/?(\?|$)/);
const MatchList = page(() => import('./resources/matches.tsx'), 'MatchList', /^#\/matches/);
const MatchShow = page(() => import('./resources/matches.tsx'), 'MatchShow', /^#\/matches/);
const MessageList = page(() => import('./resources/messages.tsx'), 'MessageList', /^#\/messages/);
const MessageShow = page(() => import('./resources/messages.tsx'), 'MessageShow', /^#\/messages/);
const PassengerList = page(people, 'PassengerList', /^#\/(passengers|drivers)/);
const DriverList = page(people, 'DriverList', /^#\/(passengers|drivers)/);
const PersonShow = page(people, 'PersonShow', /^#\/(passengers|drivers)/);
const PersonEdit = page(people, 'PersonEdit', /^#\/(passengers|drivers)/);
const PersonCreate = page(people, 'PersonCreate', /^#\/(passengers|drivers)/);
const TripList = page(() => import('./resources/trips.tsx'), 'TripList', /^#\/trips/);
const TripShow = page(() => import('./resources/trip-show.tsx'), 'TripShow', /^#\/trips/);
const TripCreate = page(() => import('./trips/TripForm.tsx'), 'TripCreate', /^#\/trips/);
const TripEdit = page(() => import('./trips/TripForm.tsx'), 'TripEdit', /^#\/trips/);
const PlaceList = page(() => import('./places/places.tsx'), 'PlaceList', /^#\/places/);
const PlaceEdit = page(() => import('./places/places.tsx'), 'PlaceEdit', /^#\/places/);
const PlaceCreate = page(() => import('./places/places.tsx'), 'PlaceCreate', /^#\/places/);
const ProviderList = page(() => import('./resources/providers.tsx'), 'ProviderList', /^#\/providers/);
const ProviderEdit = page(() => import('./resources/providers.tsx'), 'ProviderEdit', /^#\/providers/);
const ProviderCreate = page(() => import('./resources/providers.tsx'), 'ProviderCreate', /^#\/providers/);
const FeedList = page(() => import('./resources/feeds.tsx'), 'FeedList', /^#\/feeds/);
const FeedShow = page(() => import('./resources/feeds.tsx'), 'FeedShow', /^#\/feeds/);
const FeedImportCreate = page(() => import('./feeds/FeedImport.tsx'), 'FeedImportCreate', /^#\/feeds/);
const FeedImportProgress = page(() => import('./feeds/FeedImport.tsx'), 'FeedImportProgress', /^#\/feed-imports/);
const PhoneIntake = page(() => import('./requests/PhoneIntake.tsx'), 'PhoneIntake', /^#\/appel/);
const TerritoryList = page(() => import('./resources/territories.tsx'), 'TerritoryList', /^#\/territories/);
const TerritoryEdit = page(() => import('./resources/territories.tsx'), 'TerritoryEdit', /^#\/territories/);
const TerritoryWizard = page(() => import('./territories/TerritoryWizard.tsx'), 'TerritoryWizard', /^#\/territories/);
const UserList = page(() => import('./resources/users.tsx'), 'UserList', /^#\/users/);
const UserEdit = page(() => import('./resources/users.tsx'), 'UserEdit', /^#\/users/);
const UserCreate = page(() => import('./resources/users.tsx'), 'UserCreate', /^#\/users/);
const AuditList = page(() => import('./resources/audit.tsx'), 'AuditList', /^#\/audit/);
const TokenList = page(() => import('./tokens/TokenList.tsx'), 'TokenList', /^#\/tokens/);
const TokenCreate = page(() => import('./tokens/TokenCreate.tsx'), 'TokenCreate', /^#\/tokens/);
const PlanPage = page(() => import('./plans/PlanPage.tsx'), 'PlanPage', /^#\/plans/);
const TusReportPage = page(() => import('./reports/TusReport.tsx'), 'TusReportPage', /^#\/rapport-tus/);
const volunteers = () => import('./volunteers/volunteers.tsx');
const VolunteerList = page(volunteers, 'VolunteerList', /^#\/volunteers/);
const VolunteerEdit = page(volunteers, 'VolunteerEdit', /^#\/volunteers/);
const VolunteerCreate = page(volunteers, 'VolunteerCreate', /^#\/volunteers/);
const CostSettings = page(() => import('./volunteers/CostSettings.tsx'), 'CostSettings', /^#\/couts/);

// The review page once the first page is idle: a click from the work queue or a list opens it at once.
window.addEventListener('load', () => setTimeout(() => (window.requestIdleCallback ?? setTimeout)(() => void RequestShow.preload()), 3000));

const AppMenu = () => (
  <Menu>
    <Menu.DashboardItem />
    <Menu.Item to="/appel" primaryText="comobi.menu.intake" leftIcon={<PhoneIcon />} />
    <Menu.Item to="/plans" primaryText="comobi.menu.plans" leftIcon={<PlanIcon />} />
    <Menu.ResourceItems />
    <Menu.Item to="/couts" primaryText="Coûts et indemnités" leftIcon={<EuroIcon />} />
    <Menu.Item to="/rapport-tus" primaryText="Rapport annuel TUS" leftIcon={<ReportIcon />} />
  </Menu>
);
const AppLayout = (props: LayoutProps) => <Layout {...props} menu={AppMenu} />;

/** A person's page is titled by their name ("Passager Louise Lavergne"), not by their number ("Passager #321"). */
const personName = (r: { id: number; firstName?: string | null; lastName?: string | null }) =>
  `${r.firstName ?? ''} ${r.lastName ?? ''}`.trim() || `n° ${r.id}`;

/** "Trajet n° 12", as the console writes every number, rather than react-admin's "Trajet #12". */
const numbered = (r: { id: number }) => `n° ${r.id}`;

/** What each role sees; the API enforces the same rules (and the database the territories). */
const lightTheme = withFrench(defaultLightTheme);
const darkTheme = withFrench(defaultDarkTheme);

export const App = () => (
  <Admin dataProvider={dataProvider} authProvider={authProvider} i18nProvider={i18nProvider} dashboard={Dashboard} layout={AppLayout}
    title="CoMobi · coordination" requireAuth disableTelemetry loginPage={LoginPage} lightTheme={lightTheme} darkTheme={darkTheme}>
    {(role: string) => (
      <>
        {role !== 'viewer' ? (
          <>
            <Resource name="requests" list={RequestList} show={RequestShow} />
            <Resource name="matches" list={MatchList} show={MatchShow} recordRepresentation={numbered} />
            <Resource name="messages" list={MessageList} show={MessageShow} />
            <Resource name="passengers" list={PassengerList} show={PersonShow} edit={PersonEdit} create={PersonCreate} recordRepresentation={personName} />
            <Resource name="drivers" list={DriverList} show={PersonShow} edit={PersonEdit} create={PersonCreate} recordRepresentation={personName} />
            <Resource name="trips" list={TripList} show={TripShow} edit={TripEdit} create={TripCreate} recordRepresentation={numbered} />
            <Resource name="volunteers" list={VolunteerList} edit={VolunteerEdit} create={VolunteerCreate} icon={VolunteerIcon} options={{ label: 'Bénévoles' }} />
            <Resource name="places" list={PlaceList} edit={PlaceEdit} create={PlaceCreate} options={{ label: 'Lieux' }} icon={PlaceIcon} />
            <Resource name="providers" list={ProviderList} edit={ProviderEdit} create={ProviderCreate} />
            <Resource name="feeds" list={FeedList} show={FeedShow} create={FeedImportCreate} />
            <CustomRoutes>
              <Route path="/appel" element={<PhoneIntake />} />
              <Route path="/plans" element={<PlanPage />} />
              <Route path="/couts" element={<CostSettings />} />
              <Route path="/feed-imports/:id" element={<FeedImportProgress />} />
            </CustomRoutes>
          </>
        ) : null}
        {/* The yearly TUS report has no personal data: viewers (élus, funders) read it too. */}
        <CustomRoutes>
          <Route path="/rapport-tus" element={<TusReportPage />} />
        </CustomRoutes>
        <Resource name="territories" list={role === 'admin' ? TerritoryList : undefined} edit={role === 'admin' ? TerritoryEdit : undefined}
          create={role === 'admin' ? TerritoryWizard : undefined} />
        {role === 'admin' ? (
          <>
            <Resource name="users" list={UserList} edit={UserEdit} create={UserCreate} />
            <Resource name="audit" list={AuditList} />
            <Resource name="tokens" list={TokenList} create={TokenCreate} icon={KeyIcon} />
          </>
        ) : null}
      </>
    )}
  </Admin>
);
