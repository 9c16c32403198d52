import KeyIcon from '@mui/icons-material/Key';
import PhoneIcon from '@mui/icons-material/PhoneInTalk';
import { Admin, CustomRoutes, defaultDarkTheme, defaultLightTheme, Layout, Menu, Resource, type LayoutProps } from 'react-admin';
import { Route } from 'react-router';
import { authProvider } from './authProvider.ts';
import { Dashboard } from './Dashboard.tsx';
import { dataProvider } from './dataProvider.ts';
import { FrenchPickers, withFrench } from './fr/FrenchLocale.tsx';
import { i18nProvider } from './i18n.ts';
import { LoginPage } from './LoginPage.tsx';
import { PhoneIntake } from './requests/PhoneIntake.tsx';
import { RequestShow } from './requests/RequestShow.tsx';
import { AuditList } from './resources/audit.tsx';
import { FeedImportCreate, FeedImportProgress } from './feeds/FeedImport.tsx';
import { FeedList, FeedShow } from './resources/feeds.tsx';
import { MatchList, MatchShow } from './resources/matches.tsx';
import { DriverList, PassengerList, PersonCreate, PersonEdit, PersonShow } from './resources/people.tsx';
import { ProviderCreate, ProviderEdit, ProviderList } from './resources/providers.tsx';
import { RequestList } from './resources/requests.tsx';
import { TerritoryCreate, TerritoryEdit, TerritoryList } from './resources/territories.tsx';
import { TripList, TripShow } from './resources/trips.tsx';
import { TokenCreate } from './tokens/TokenCreate.tsx';
import { TokenList } from './tokens/TokenList.tsx';
import { TripCreate, TripEdit } from './trips/TripForm.tsx';
import { UserCreate, UserEdit, UserList } from './resources/users.tsx';

const AppMenu = () => (
  <Menu>
    <Menu.DashboardItem />
    <Menu.Item to="/appel" primaryText="comobi.menu.intake" leftIcon={<PhoneIcon />} />
    <Menu.ResourceItems />
  </Menu>
);
const AppLayout = (props: LayoutProps) => <Layout {...props} menu={AppMenu} />;

/** What each role sees; the API enforces the same rules (and the database the territories). */
const lightTheme = withFrench(defaultLightTheme);
const darkTheme = withFrench(defaultDarkTheme);

export const App = () => (
  <FrenchPickers>
  <Admin dataProvider={dataProvider} authProvider={authProvider} i18nProvider={i18nProvider} dashboard={Dashboard} layout={AppLayout}
    title="CoMobi · coordination" requireAuth disableTelemetry loginPage={LoginPage} lightTheme={lightTheme} darkTheme={darkTheme}>
    {(role: string) => (
      <>
        {role !== 'viewer' ? (
          <>
            <Resource name="requests" list={RequestList} show={RequestShow} />
            <Resource name="matches" list={MatchList} show={MatchShow} />
            <Resource name="passengers" list={PassengerList} show={PersonShow} edit={PersonEdit} create={PersonCreate} />
            <Resource name="drivers" list={DriverList} show={PersonShow} edit={PersonEdit} create={PersonCreate} />
            <Resource name="trips" list={TripList} show={TripShow} edit={TripEdit} create={TripCreate} />
            <Resource name="providers" list={ProviderList} edit={ProviderEdit} create={ProviderCreate} />
            <Resource name="feeds" list={FeedList} show={FeedShow} create={FeedImportCreate} />
            <CustomRoutes>
              <Route path="/appel" element={<PhoneIntake />} />
              <Route path="/feed-imports/:id" element={<FeedImportProgress />} />
            </CustomRoutes>
          </>
        ) : null}
        <Resource name="territories" list={role === 'admin' ? TerritoryList : undefined} edit={role === 'admin' ? TerritoryEdit : undefined}
          create={role === 'admin' ? TerritoryCreate : undefined} />
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
  </FrenchPickers>
);
