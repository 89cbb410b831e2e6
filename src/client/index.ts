// The consumer client's public API: one request (DirectEarnClient) or any number of customers (earnBulk).
export * from './bulk.js';
export * from './client.js';
export * from './errors.js';
