// The spec's public API, shared by the provider, the client, the CLI and the tests.
export * from './catalogue.js';
export { ENDPOINT_PATH, loadSpec, parseSpec, type SpecDocument, specPath } from './document.js';
export * from './examples.js';
export type * from './types.js';
export * from './validators.js';
