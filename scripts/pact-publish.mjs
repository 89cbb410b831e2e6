// npm run pact:publish: see src/contracts/publish.ts (run from dist after npm run build).
import { publishPacts } from '../dist/contracts/publish.js';

process.exitCode = await publishPacts();
