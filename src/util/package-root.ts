// Where the installed package lives: files it ships (openapi/, k6/, contracts/pacts/) are found from here.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: src/util (under vitest) and dist/util (built) are both two levels below it. */
export const packageRoot: string = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
