/**
 * @mycel/server: the Mycel hub. {@link startHub} runs one in-process; the `mycel-hub` bin runs one
 * from the command line.
 */
export { HUB_VERSION, startHub } from './hub.js';
export type { Hub } from './hub.js';
export { DEFAULT_HUB_OPTIONS, resolveHubOptions } from './hub-options.js';
export type { HubOptions, ResolvedHubOptions } from './hub-options.js';
export { ClientConnection } from './connection.js';
export { Registry } from './registry.js';
export type { ListFilter, NewServiceRecord, ServiceGroup, ServiceRecord, ServiceVisibility } from './registry.js';
export type { HealthState, InstanceState, MetricValue } from './instance-state.js';
export { VirtualTargets } from './virtual-targets.js';
export type { VirtualTarget } from './virtual-targets.js';
export type { InstanceBalancing } from './balancing/instance-config.js';
