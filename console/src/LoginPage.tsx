import { Typography } from '@mui/material';
import { Login, LoginForm } from 'react-admin';

/** The login page says which product it opens (react-admin's shows a padlock only). */
export const LoginPage = () => (
  <Login>
    <Typography component="h1" variant="h5" align="center" sx={{ mt: 1 }}>CoMobi</Typography>
    <Typography variant="body2" align="center" color="text.secondary">Coordination du covoiturage solidaire</Typography>
    <LoginForm />
  </Login>
);
