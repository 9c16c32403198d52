import { CircleMarker, Tooltip } from 'react-leaflet';

type Point = { lng: number; lat: number } | null | undefined;

/** A trip's start (green) and end (red) on a map, the same on every page. */
export function EndMarkers({
  from,
  to,
  fromLabel = 'Départ',
  toLabel = 'Arrivée',
  permanent = true,
}: {
  from: Point;
  to: Point;
  fromLabel?: string;
  toLabel?: string;
  permanent?: boolean;
}) {
  return (
    <>
      {from ? (
        <CircleMarker center={[from.lat, from.lng]} radius={8} pathOptions={{ color: '#1b5e20', fillOpacity: 0.9 }}>
          <Tooltip permanent={permanent}>{fromLabel}</Tooltip>
        </CircleMarker>
      ) : null}
      {to ? (
        <CircleMarker center={[to.lat, to.lng]} radius={8} pathOptions={{ color: '#b71c1c', fillOpacity: 0.9 }}>
          <Tooltip permanent={permanent}>{toLabel}</Tooltip>
        </CircleMarker>
      ) : null}
    </>
  );
}
