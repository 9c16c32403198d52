import PersonIcon from '@mui/icons-material/Person';
import { Button, Card, CardContent, Stack, Typography } from '@mui/material';
import { Link } from 'react-router';
import { ResumeButton } from './Resume.tsx';
import { Timeline } from './Timeline.tsx';

/** The request page's memory: its timeline, the note box, the passenger's page and "Reprendre ce trajet". */
export function RequestHistory({ requestId, passengerId, version }: { requestId: number; passengerId: number | null; version: number }) {
  return (
    <Card>
      <CardContent>
        <Stack direction="row" spacing={1} useFlexGap sx={{ alignItems: 'center', flexWrap: 'wrap', mb: 1 }}>
          <Typography variant="h6" sx={{ flex: 1, minWidth: 240 }}>Historique : appels, notes, statuts, messages</Typography>
          {passengerId ? (
            <Button component={Link} to={`/passengers/${passengerId}/show`} size="small" startIcon={<PersonIcon />} data-testid="passenger-page">
              Fiche de la personne
            </Button>
          ) : null}
          <ResumeButton requestId={requestId} />
        </Stack>
        <Timeline subject={{ type: 'request', id: requestId }} reason={`request:${requestId}`} version={version} testId="request-timeline" />
      </CardContent>
    </Card>
  );
}
