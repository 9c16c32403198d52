/** In-process router on an OpenStreetMap road graph (see embedded-router.ts). */
export { EmbeddedRouter, loadGraph, type EmbeddedRouterOptions, type GraphBuildInfo, type RouterLog } from './embedded-router.ts';
export { carRules, parseMaxspeedKmh, SPEED_KMH, type WayRules } from './profile.ts';
export type { Graph, GraphData } from './graph.ts';
