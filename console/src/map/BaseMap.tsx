import 'leaflet/dist/leaflet.css';
import L from 'leaflet';
import { useEffect, useState, type ReactNode } from 'react';
import { GeoJSON, MapContainer, TileLayer, useMap } from 'react-leaflet';

export { useCommunes, type CommuneFeature } from './communes.ts';
import { useCommunes, type CommuneFeature } from './communes.ts';

let tileConfig: Promise<{ tileUrl: string | null; tileAttribution: string }> | undefined;
function useTiles() {
  const [cfg, setCfg] = useState<{ tileUrl: string | null; tileAttribution: string } | null>(null);
  useEffect(() => {
    tileConfig ??= fetch('/console/config.json').then((r) => r.json()).catch(() => ({ tileUrl: null, tileAttribution: '' }));
    tileConfig.then(setCfg);
  }, []);
  return cfg;
}

function FitTo({ bounds }: { bounds: L.LatLngBounds | null }) {
  const map = useMap();
  useEffect(() => {
    if (bounds?.isValid()) map.fitBounds(bounds, { padding: [20, 20] });
  }, [map, bounds]);
  return null;
}

/**
 * Leaflet measures its box once, when it is made: a page whose layout settles afterwards (fonts, cards, data) left the
 * map drawn in part of a grey box until a reload. Each change of the box's size is told to Leaflet.
 */
function FollowSize() {
  const map = useMap();
  useEffect(() => {
    const box = map.getContainer();
    const observer = new ResizeObserver(() => map.invalidateSize());
    observer.observe(box);
    return () => observer.disconnect();
  }, [map]);
  return null;
}

function ClickTo({ onClick }: { onClick?: (lng: number, lat: number) => void }) {
  const map = useMap();
  useEffect(() => {
    if (!onClick) return;
    const h = (e: L.LeafletMouseEvent) => onClick(e.latlng.lng, e.latlng.lat);
    map.on('click', h);
    return () => {
      map.off('click', h);
    };
  }, [map, onClick]);
  return null;
}

/**
 * Leaflet over the commune outlines; raster tiles only when the service is configured with CONSOLE_TILE_URL.
 * `fit` (GeoJSON-order [lng, lat] points) frames the map; without it the communes do.
 */
export function BaseMap({ territoryId, fit, onClick, children, height = 420 }: {
  territoryId?: number | null;
  fit?: [number, number][];
  onClick?: (lng: number, lat: number) => void;
  children?: ReactNode;
  height?: number;
}) {
  const communes = useCommunes(territoryId);
  const tiles = useTiles();
  const fitKey = JSON.stringify(fit ?? null);
  const [bounds, setBounds] = useState<L.LatLngBounds | null>(null);
  useEffect(() => {
    if (fit && fit.length) setBounds(L.latLngBounds(fit.map(([lng, lat]) => [lat, lng] as [number, number])));
    else if (communes?.features.length) setBounds(L.geoJSON(communes as any).getBounds());
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fitKey, communes]);
  return (
    <div data-testid="map" style={{ height, width: '100%', border: '1px solid #ccc', borderRadius: 4 }}>
      <MapContainer center={[44.6, 1.6]} zoom={9} style={{ height: '100%', width: '100%', background: '#f4f1ea' }} attributionControl={Boolean(tiles?.tileUrl)}>
        {tiles?.tileUrl ? <TileLayer url={tiles.tileUrl} attribution={tiles.tileAttribution} /> : null}
        {communes ? (
          <GeoJSON
            key={`${territoryId ?? 'all'}-${communes.features.length}`}
            data={communes as any}
            style={{ color: '#7a7a7a', weight: 1, fillColor: '#ffffff', fillOpacity: tiles?.tileUrl ? 0 : 0.7 }}
            onEachFeature={(f, layer) => layer.bindTooltip((f.properties as CommuneFeature['properties']).name, { sticky: true })}
          />
        ) : null}
        <FollowSize />
        <FitTo bounds={bounds} />
        <ClickTo onClick={onClick} />
        {children}
      </MapContainer>
    </div>
  );
}
