export { type Catalogue, type ReliabilitySettings, WORKFLOWS, type Workflow } from './catalogue.js';
export { parseDuration } from './duration.js';
export { loadRouteTable, type Route, RouteTable, RoutingError, reliabilityFlags } from './routes.js';
