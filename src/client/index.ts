// The consumer client's public API: one request (DirectEarnClient) or any number of customers (earnBulk).
export * from './auth.js';
export * from './bulk.js';
export * from './client.js';
export * from './errors.js';
export { parseRetryAfter } from './http-answer.js';
export * from './outcomes.js';
