import 'leaflet/dist/leaflet.css';
import './basemap.css';
import L from 'leaflet';
import { useEffect, useState, type ReactNode } from 'react';
import { AttributionControl, GeoJSON, MapContainer, Pane, TileLayer, useMap } from 'react-leaflet';
import { signedIn } from '../authProvider.ts';
import { CommuneLabels } from './CommuneLabels.tsx';
import { loadRoads, ROAD_STYLE, useRoads, type RoadClass } from './roads.ts';

export { useCommunes, type CommuneFeature } from './communes.ts';
import { loadCommunes, useCommunes, type CommuneFeature } from './communes.ts';

// This module loads with the first page that has a map: a user of one territory gets its layers asked for at once,
// not once the page's own data has said which territory it shows.
void signedIn().then((u) => {
  if (u?.territoryIds?.length !== 1) return;
  loadCommunes(u.territoryIds[0]).catch(() => undefined);
  loadRoads(u.territoryIds[0]).catch(() => undefined);
});

type TileConfig = { tileUrl: string | null; tileAttribution: string };
// Asked when this module loads, with the page, rather than when its first map mounts.
const tileConfig: Promise<TileConfig> = fetch('/console/config.json').then((r) => r.json()).catch(() => ({ tileUrl: null, tileAttribution: '' }));
let tilesKnown: TileConfig | null = null;
void tileConfig.then((c) => (tilesKnown = c));
function useTiles() {
  const [cfg, setCfg] = useState<TileConfig | null>(tilesKnown);
  useEffect(() => {
    let live = true;
    void tileConfig.then((c) => live && setCfg(c));
    return () => {
      live = false;
    };
  }, []);
  return cfg;
}

function FitTo({ bounds }: { bounds: L.LatLngBounds | null }) {
  const map = useMap();
  useEffect(() => {
    // Not animated: the zoom's animation redrew every outline and road once more, after a quarter of a second.
    if (bounds?.isValid()) map.fitBounds(bounds, { padding: [20, 20], animate: false });
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
 * The basemap's layers go in panes inside the overlay pane, below its own drawing (negative z-index): a page's
 * routes and markers stay on top whichever answer arrives first (the communes arriving after a route covered it).
 */
const BASE_PANES = { communes: -3, roads: -2, labels: -1 } as const;

/**
 * Leaflet over the territory's own data, offline: commune outlines, the roads of the road network by class, commune
 * names. With CONSOLE_TILE_URL raster tiles replace the roads and names (outlines stay, unfilled).
 * `fit` (GeoJSON-order [lng, lat] points) frames the map; without it the communes do.
 */
export function BaseMap({ territoryId, fit, onClick, onLayers, children, height = 420 }: {
  territoryId?: number | null;
  fit?: [number, number][];
  onClick?: (lng: number, lat: number) => void;
  /** Called once the basemap's own layers (outlines, and roads and names without tiles) are on the map. */
  onLayers?: () => void;
  children?: ReactNode;
  height?: number;
}) {
  const communes = useCommunes(territoryId);
  const tiles = useTiles();
  const vector = tiles !== null && !tiles.tileUrl;
  // Asked without waiting for the tile settings (drawn only without tiles): the two answers come in parallel.
  const roads = useRoads(territoryId, tiles === null || vector);
  // After the layers' own effects (children's run first): they are on the map by then. An empty answer counts.
  const layersIn = communes !== null && tiles !== null && (!vector || roads !== null);
  useEffect(() => {
    if (layersIn) onLayers?.();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [layersIn]);
  const fitKey = JSON.stringify(fit ?? null);
  const [bounds, setBounds] = useState<L.LatLngBounds | null>(null);
  useEffect(() => {
    if (fit && fit.length) setBounds(L.latLngBounds(fit.map(([lng, lat]) => [lat, lng] as [number, number])));
    else if (communes?.features.length) setBounds(L.geoJSON(communes as any).getBounds());
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fitKey, communes]);
  return (
    <div data-testid="map" style={{ height, width: '100%', border: '1px solid #ccc', borderRadius: 4 }}>
      <MapContainer center={[44.6, 1.6]} zoom={9} style={{ height: '100%', width: '100%', background: '#f4f1ea' }} attributionControl={false}>
        {/* Made when there is something to credit (the map's own option is read once, before the roads arrive). */}
        {tiles?.tileUrl || (vector && roads?.features.length) ? <AttributionControl position="bottomright" /> : null}
        {tiles?.tileUrl ? <TileLayer url={tiles.tileUrl} attribution={tiles.tileAttribution} /> : null}
        {Object.entries(BASE_PANES).map(([name, z]) => (
          <Pane key={name} name={`base-${name}`} pane="overlayPane" style={{ zIndex: String(z), pointerEvents: name === 'communes' ? 'auto' : 'none' }} />
        ))}
        {communes ? (
          <GeoJSON
            key={`${territoryId ?? 'all'}-${communes.features.length}-${vector}`}
            data={communes as any}
            pane="base-communes"
            style={{ color: tiles?.tileUrl ? '#7a7a7a' : '#b7aec4', weight: tiles?.tileUrl ? 1 : 0.8, fillColor: '#ffffff', fillOpacity: tiles?.tileUrl ? 0 : 0.6, className: 'commune-outline' }}
            // One tooltip for the whole layer, its text from the outline under the pointer (one per commune was 300
            // tooltips and their listeners made on every first load).
            eventHandlers={{ add: (e) => e.target.bindTooltip((l: L.Layer & { feature?: CommuneFeature }) => l.feature?.properties.name ?? '', { sticky: true }) }}
          />
        ) : null}
        {vector && roads?.features.length ? (
          <GeoJSON
            key={`roads-${territoryId ?? 'all'}-${roads.features.length}`}
            data={roads as any}
            pane="base-roads"
            interactive={false}
            attribution={`Routes ${roads.attribution}`}
            style={(f) => {
              const c = (f?.properties as { class: RoadClass }).class;
              return { ...ROAD_STYLE[c], opacity: 1, lineCap: 'round', lineJoin: 'round', className: `road road-${c}` };
            }}
          />
        ) : null}
        {vector && communes?.features.length ? <CommuneLabels communes={communes.features} pane="base-labels" /> : null}
        <FollowSize />
        <FitTo bounds={bounds} />
        <ClickTo onClick={onClick} />
        {children}
      </MapContainer>
    </div>
  );
}
