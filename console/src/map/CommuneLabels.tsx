import L from 'leaflet';
import { useEffect } from 'react';
import { useMap } from 'react-leaflet';
import type { CommuneFeature } from './communes.ts';

/** Towns above this population get the larger type. */
const TOWN = 3000;

type Box = { x0: number; y0: number; x1: number; y1: number };
const overlaps = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/**
 * Commune names at their centres, as many as fit without overlapping: the most populated first, so at the
 * territory's scale the towns show, and zooming in brings the villages. Placed again after each zoom or pan.
 * Labels take no clicks (a click on the map places a point).
 */
export function CommuneLabels({ communes, pane }: { communes: CommuneFeature[]; pane: string }) {
  const map = useMap();
  useEffect(() => {
    const layer = L.layerGroup().addTo(map);
    const order = [...communes].sort((a, b) => (b.properties.population ?? 0) - (a.properties.population ?? 0));
    let frame = 0;
    const place = () => {
      layer.clearLayers();
      const size = map.getSize();
      const taken: Box[] = [];
      for (const c of order) {
        const [lng, lat] = c.properties.centroid;
        const at = map.latLngToContainerPoint([lat, lng]);
        const town = (c.properties.population ?? 0) >= TOWN;
        // Estimated text box (the label's own CSS: 11 px, 13 px bold for towns), with a little air around it.
        const w = c.properties.name.length * (town ? 7.6 : 6.2) + 8;
        const h = town ? 18 : 15;
        const box = { x0: at.x - w / 2, y0: at.y - h / 2, x1: at.x + w / 2, y1: at.y + h / 2 };
        if (box.x1 < 0 || box.y1 < 0 || box.x0 > size.x || box.y0 > size.y) continue;
        if (taken.some((t) => overlaps(t, box))) continue;
        taken.push(box);
        const icon = L.divIcon({
          className: `commune-label${town ? ' commune-label-town' : ''}`,
          html: c.properties.name.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`),
          iconSize: [w, h],
          iconAnchor: [w / 2, h / 2],
        });
        L.marker([lat, lng], { icon, pane, interactive: false, keyboard: false }).addTo(layer);
      }
      map.getContainer().dataset.communeLabels = String(taken.length);
    };
    const later = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(place);
    };
    place();
    map.on('zoomend moveend resize', later);
    return () => {
      cancelAnimationFrame(frame);
      map.off('zoomend moveend resize', later);
      layer.remove();
    };
  }, [map, communes, pane]);
  return null;
}
