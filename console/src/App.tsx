import KeyIcon from '@mui/icons-material/Key';
import PlaceIcon from '@mui/icons-material/Place';
import PhoneIcon from '@mui/icons-material/PhoneInTalk';
import PlanIcon from '@mui/icons-material/EventNote';
import ReportIcon from '@mui/icons-material/Assessment';
import { lazy, Suspense, type ComponentType } from 'react';
import { Admin, CustomRoutes, defaultDarkTheme, defaultLightTheme, Layout, Loading, Menu, Resource, type LayoutProps } from 'react-admin';
import { Route } from 'react-router';
import { authProvider } from './authProvider.ts';
import { Dashboard } from './Dashboard.tsx';
import { dataProvider } from './dataProvider.ts';
import { withFrench } from './fr/FrenchLocale.tsx';
import { i18nProvider } from './i18n.ts';
import { LoginPage } from './LoginPage.tsx';
import { RequestShow } from './requests/RequestShow.tsx';
import { TusReportPage } from './reports/TusReport.tsx';
import { AuditList } from './resources/audit.tsx';
import { FeedImportCreate, FeedImportProgress } from './feeds/FeedImport.tsx';
import { FeedList, FeedShow } from './resources/feeds.tsx';
import { MatchList, MatchShow } from './resources/matches.tsx';
import { MessageList, MessageShow } from './resources/messages.tsx';
import { PlaceCreate, PlaceEdit, PlaceList } from './places/places.tsx';
import { DriverList, PassengerList, PersonCreate, PersonEdit, PersonShow } from './resources/people.tsx';
import { ProviderCreate, ProviderEdit, ProviderList } from './resources/providers.tsx';
import { RequestList } from './resources/requests.tsx';
import { TerritoryEdit, TerritoryList } from './resources/territories.tsx';
import { TerritoryWizard } from './territories/TerritoryWizard.tsx';
import { TripList } from './resources/trips.tsx';
import { TokenCreate } from './tokens/TokenCreate.tsx';
import { TokenList } from './tokens/TokenList.tsx';
import { UserCreate, UserEdit, UserList } from './resources/users.tsx';

/**
 * The trip pages and the phone intake load on first use: the pickers and these pages are not in the scripts that
 * every page waits for. The request review page stays in them: it is the coordinator's main page, and loading it
 * lazily added a round trip to its first load (2.2 s against 1.7 s p50 in `npm run bench -- console`).
 */
function lazyPage(load: () => Promise<ComponentType>) {
  const Page = lazy(async () => ({ default: await load() }));
  return () => <Suspense fallback={<Loading />}><Page /></Suspense>;
}
const PhoneIntake = lazyPage(() => import('./requests/PhoneIntake.tsx').then((m) => m.PhoneIntake));
const TripShow = lazyPage(() => import('./resources/trip-show.tsx').then((m) => m.TripShow));
const TripCreate = lazyPage(() => import('./trips/TripForm.tsx').then((m) => m.TripCreate));
const TripEdit = lazyPage(() => import('./trips/TripForm.tsx').then((m) => m.TripEdit));
const PlanPage = lazyPage(() => import('./plans/PlanPage.tsx').then((m) => m.PlanPage));

const AppMenu = () => (
  <Menu>
    <Menu.DashboardItem />
    <Menu.Item to="/appel" primaryText="comobi.menu.intake" leftIcon={<PhoneIcon />} />
    <Menu.Item to="/plans" primaryText="comobi.menu.plans" leftIcon={<PlanIcon />} />
    <Menu.ResourceItems />
    <Menu.Item to="/rapport-tus" primaryText="Rapport annuel TUS" leftIcon={<ReportIcon />} />
  </Menu>
);
const AppLayout = (props: LayoutProps) => <Layout {...props} menu={AppMenu} />;

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
            <Resource name="matches" list={MatchList} show={MatchShow} />
            <Resource name="messages" list={MessageList} show={MessageShow} />
            <Resource name="passengers" list={PassengerList} show={PersonShow} edit={PersonEdit} create={PersonCreate} />
            <Resource name="drivers" list={DriverList} show={PersonShow} edit={PersonEdit} create={PersonCreate} />
            <Resource name="trips" list={TripList} show={TripShow} edit={TripEdit} create={TripCreate} />
            <Resource name="places" list={PlaceList} edit={PlaceEdit} create={PlaceCreate} options={{ label: 'Lieux' }} icon={PlaceIcon} />
            <Resource name="providers" list={ProviderList} edit={ProviderEdit} create={ProviderCreate} />
            <Resource name="feeds" list={FeedList} show={FeedShow} create={FeedImportCreate} />
            <CustomRoutes>
              <Route path="/appel" element={<PhoneIntake />} />
              <Route path="/plans" element={<PlanPage />} />
              <Route path="/feed-imports/:id" element={<FeedImportProgress />} />
              <Route path="/rapport-tus" element={<TusReportPage />} />
            </CustomRoutes>
          </>
        ) : null}
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
