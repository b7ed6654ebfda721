/**
 * @mycel/server: the Mycel hub. {@link startHub} runs one in-process; the `mycel-hub` bin runs one
 * from the command line.
 */
export { HUB_VERSION, startHub } from './hub.js';
export type { Hub, HubOptions } from './hub.js';
export { ClientConnection } from './connection.js';
export { Registry } from './registry.js';
export type { InstanceStats, ListFilter, ServiceRecord, ServiceVisibility } from './registry.js';
