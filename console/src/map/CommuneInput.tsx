import { AutocompleteInput, type AutocompleteInputProps } from 'react-admin';
import { useCommunes } from './communes.ts';

/** A list filter by commune (INSEE code), among the communes of the principal's territories. */
export function CommuneInput(props: Omit<AutocompleteInputProps, 'choices'>) {
  const communes = useCommunes(null, false);
  // Already in French order (useCommunes sorts them).
  const choices = (communes?.features ?? []).map((f) => f.properties);
  return (
    <AutocompleteInput
      {...props}
      choices={choices}
      optionValue="insee"
      optionText={(c: { name: string; insee: string }) => `${c.name} (${c.insee})`}
      isLoading={!communes}
      noOptionsText="Aucune commune"
      sx={{ minWidth: 240 }}
    />
  );
}
