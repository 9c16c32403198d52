import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import { Alert, Box, Button as MuiButton, Card, CardContent, Stack, TextField as MuiTextField, Typography } from '@mui/material';
import { useRef, useState } from 'react';
import {
  Create, ReferenceInput, SelectInput, SimpleForm, TextInput, Title, maxLength, required, useNotify, useRedirect, useTranslate,
} from 'react-admin';
import { fieldErrors } from '../fieldReasons.ts';
import { choices } from '../i18n.ts';
import { TOKEN_ROLES, type IssuedToken } from './types.ts';

/** The console mirrors the API's rule (which enforces it too): only an admin token may span every territory. */
const validate = (v: { role?: string; territoryId?: number | null }) =>
  v.role && v.role !== 'admin' && !v.territoryId ? { territoryId: 'comobi.tokens.territoryRequired' } : {};

/** The plain token, shown this once: the API keeps only its hash and will never send it again. */
function IssuedPanel({ issued }: { issued: IssuedToken }) {
  const t = useTranslate();
  const redirect = useRedirect();
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(issued.token);
    } catch {
      // No clipboard API (plain http on a non-local host): select the text and use the older command.
      field.current?.select();
      document.execCommand('copy');
    }
    setCopied(true);
  };
  return (
    <Card sx={{ mt: 2, maxWidth: 860 }}>
      <Title title="comobi.tokens.issuedTitle" />
      <CardContent>
        <Stack spacing={2}>
          <Typography variant="h6">{t('comobi.tokens.issuedHeading', { label: issued.label })}</Typography>
          <Alert severity="warning" data-testid="token-warning">{t('comobi.tokens.copyNow')}</Alert>
          <Box sx={{ display: 'flex', gap: 1, alignItems: 'center' }}>
            <MuiTextField value={issued.token} inputRef={field} fullWidth label={t('comobi.tokens.plain')}
              slotProps={{ htmlInput: { readOnly: true, 'data-testid': 'issued-token', style: { fontFamily: 'monospace' } } }}
              onFocus={(e) => e.target.select()} />
            <MuiButton variant="contained" startIcon={<ContentCopyIcon />} onClick={copy} data-testid="copy-token" sx={{ whiteSpace: 'nowrap' }}>
              {copied ? t('comobi.tokens.copied') : t('comobi.tokens.copy')}
            </MuiButton>
          </Box>
          <Typography variant="body2" color="text.secondary">{t('comobi.tokens.usage')}</Typography>
          <Box component="pre" sx={{ m: 0, p: 1, bgcolor: 'grey.100', borderRadius: 1, fontSize: 13, overflowX: 'auto' }}>
            {`curl -H "Authorization: Bearer <jeton>" ${window.location.origin}/api/territories`}
          </Box>
          <Box>
            <MuiButton variant="outlined" onClick={() => redirect('list', 'tokens')} data-testid="token-done">
              {t('comobi.tokens.done')}
            </MuiButton>
          </Box>
        </Stack>
      </CardContent>
    </Card>
  );
}

export function TokenCreate() {
  const notify = useNotify();
  const [issued, setIssued] = useState<IssuedToken | null>(null);
  if (issued) return <IssuedPanel issued={issued} />;
  return (
    <Create<IssuedToken> title="comobi.tokens.issuedTitle" mutationOptions={{
      onSuccess: (data) => setIssued(data),
      onError: (e) => {
        const err = e as Error & { body?: unknown };
        notify(Object.values(fieldErrors(err.body)).join(' ; ') || err.message, { type: 'error' });
      },
    }}>
      <SimpleForm validate={validate} defaultValues={{ role: 'integration', territoryId: null }}>
        <TextInput source="label" validate={[required(), maxLength(200)]} helperText="comobi.tokens.labelHelp" sx={{ minWidth: 420 }} />
        <SelectInput source="role" choices={choices('roles', TOKEN_ROLES)} validate={required()} helperText="comobi.tokens.roleHelp" />
        <ReferenceInput source="territoryId" reference="territories" sort={{ field: 'name', order: 'ASC' }}>
          <SelectInput optionText="name" parse={(v: string | number) => (v === '' ? null : v)} emptyText="comobi.tokens.allTerritories" helperText="comobi.tokens.territoryHelp" />
        </ReferenceInput>
      </SimpleForm>
    </Create>
  );
}
