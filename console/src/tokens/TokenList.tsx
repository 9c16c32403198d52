import BlockIcon from '@mui/icons-material/Block';
import {
  Button, Confirm, Datagrid, DateField, FunctionField, List, ReferenceField, SelectInput, TextField, TextInput,
  useDelete, useNotify, useRecordContext, useRefresh, useTranslate,
} from 'react-admin';
import { useState } from 'react';
import { choices } from '../i18n.ts';
import { CodeField } from '../resources/common.tsx';
import { DATE_TIME, TOKEN_ROLES, type TokenRecord } from './types.ts';

/** Revocation is immediate and final: asked for once more, then the list is reloaded (the row stays, revoked). */
function RevokeButton() {
  const record = useRecordContext<TokenRecord>();
  const t = useTranslate();
  const notify = useNotify();
  const refresh = useRefresh();
  const [open, setOpen] = useState(false);
  const [revoke, { isPending }] = useDelete<TokenRecord>();
  if (!record || record.revokedAt) return null;
  const confirm = () =>
    revoke(
      'tokens',
      { id: record.id, previousData: record },
      {
        mutationMode: 'pessimistic',
        onSuccess: () => {
          setOpen(false);
          notify('comobi.tokens.revoked', { type: 'info', messageArgs: { label: record.label } });
          refresh();
        },
        onError: (e) => {
          setOpen(false);
          notify((e as Error).message, { type: 'error' });
        },
      },
    );
  return (
    <>
      <Button label="comobi.tokens.revoke" color="error" onClick={(e) => { e.stopPropagation(); setOpen(true); }}
        data-testid={`revoke-${record.id}`}>
        <BlockIcon />
      </Button>
      <Confirm isOpen={open} loading={isPending} title={t('comobi.tokens.revokeTitle', { label: record.label })}
        content="comobi.tokens.revokeContent" confirm="comobi.tokens.revoke" confirmColor="warning"
        onConfirm={confirm} onClose={() => setOpen(false)} />
    </>
  );
}

/** The deployment's API tokens: who can call the API, since when, last seen when; never their secret. */
export const TokenList = () => (
  <List sort={{ field: 'createdAt', order: 'DESC' }} exporter={false} filters={[
    <TextInput key="q" source="q" alwaysOn />,
    <SelectInput key="role" source="role" choices={choices('roles', TOKEN_ROLES)} alwaysOn />,
    <SelectInput key="revoked" source="revoked" alwaysOn choices={[
      { id: false, name: 'comobi.tokens.active' },
      { id: true, name: 'comobi.tokens.revokedState' },
    ]} />,
  ]}>
    <Datagrid bulkActionButtons={false} rowClick={false}>
      <TextField source="label" />
      <CodeField group="roles" source="role" />
      <ReferenceField source="territoryId" reference="territories" link={false} emptyText="Tous les territoires">
        <TextField source="name" />
      </ReferenceField>
      <DateField source="createdAt" showTime options={DATE_TIME} locales="fr-FR" />
      <DateField source="lastUsedAt" showTime options={DATE_TIME} locales="fr-FR" emptyText="Jamais" />
      <FunctionField source="revokedAt" render={(r: TokenRecord) =>
        r.revokedAt ? `Révoqué le ${new Date(r.revokedAt).toLocaleString('fr-FR', DATE_TIME)}` : 'Actif'} />
      <RevokeButton />
    </Datagrid>
  </List>
);
