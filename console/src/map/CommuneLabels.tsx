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
 * Labels take no clicks (a click on the map places a point). All of them are written at once into one box of the
 * pane, positioned in the map's layer coordinates as markers are: a hundred Leaflet markers (an element, events and
 * a z-index each) cost the review page a tenth of its first load.
 */
export function CommuneLabels({ communes, pane }: { communes: CommuneFeature[]; pane: string }) {
  const map = useMap();
  useEffect(() => {
    // Hidden during a zoom's animation (the labels would stay at the old scale), placed again at its end.
    const box = L.DomUtil.create('div', 'commune-labels leaflet-zoom-hide', map.getPane(pane) ?? map.getPane('overlayPane'));
    const order = [...communes].sort((a, b) => (b.properties.population ?? 0) - (a.properties.population ?? 0));
    let frame = 0;
    const place = () => {
      const size = map.getSize();
      const taken: Box[] = [];
      const html: string[] = [];
      for (const c of order) {
        const [lng, lat] = c.properties.centroid;
        const at = map.latLngToContainerPoint([lat, lng]);
        const town = (c.properties.population ?? 0) >= TOWN;
        // Estimated text box (the label's own CSS: 11 px, 13 px bold for towns), with a little air around it.
        const w = c.properties.name.length * (town ? 7.6 : 6.2) + 8;
        const h = town ? 18 : 15;
        const b = { x0: at.x - w / 2, y0: at.y - h / 2, x1: at.x + w / 2, y1: at.y + h / 2 };
        if (b.x1 < 0 || b.y1 < 0 || b.x0 > size.x || b.y0 > size.y) continue;
        if (taken.some((t) => overlaps(t, b))) continue;
        taken.push(b);
        const layer = map.containerPointToLayerPoint(at);
        const name = c.properties.name.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
        html.push(`<div class="commune-label${town ? ' commune-label-town' : ''}" style="left:${(layer.x - w / 2).toFixed(1)}px;top:${(layer.y - h / 2).toFixed(1)}px;width:${w.toFixed(1)}px;height:${h}px">${name}</div>`);
      }
      box.innerHTML = html.join('');
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
      box.remove();
    };
  }, [map, communes, pane]);
  return null;
}
