// Named examples of the spec (`components.examples`): what pacts, load payloads and tests reuse.
import { loadSpec } from './document.js';

/** Names of every example in `components.examples`. */
export function exampleNames(): string[] {
  return Object.keys(loadSpec().components?.examples ?? {});
}

/** The value of a named example (a deep copy, so callers may change it). */
export function example<T = unknown>(name: string): T {
  const ex = loadSpec().components?.examples?.[name];
  if (ex === undefined || !('value' in ex)) {
    throw new Error(`the spec has no example components.examples.${name}`);
  }
  return structuredClone(ex.value) as T;
}

/** Whether an example is marked inferred (not from the public doc). */
export function isInferredExample(name: string): boolean {
  const ex = loadSpec().components?.examples?.[name] as Record<string, unknown> | undefined;
  return ex?.['x-inferred'] === true;
}
