// Vitest global setup of the consumer run: empties contracts/pacts first, so a removed interaction
// disappears from the pact instead of lingering from an earlier run.
import { mkdirSync, rmSync } from 'node:fs';
import { PACT_DIR, pactFiles } from '../../src/contracts/pacts.js';

export default function setup(): void {
  const dir = process.env.DIRECTEARN_PACT_DIR ?? PACT_DIR;
  for (const file of pactFiles(dir)) rmSync(file);
  mkdirSync(dir, { recursive: true });
}
