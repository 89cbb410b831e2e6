// Regenerates what is derived from src/states for the admin interface: the example of
// GET /_admin/provider-states at the end of openapi/admin.yaml and docs/states.md's table of provider
// states, then lets Biome format both. Reads the built modules:
// `npm run build && node scripts/generate-admin-docs.mjs`. `--check` exits 1 when either is stale
// (compared by content: the YAML parsed, the table cell by cell) instead of writing them.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const admin = await import(join(root, 'dist', 'docs', 'admin.js'));
const { describeStates } = await import(join(root, 'dist', 'provider', 'states.js'));
const check = process.argv.includes('--check');
const readmePath = join(root, 'docs', 'states.md');
const STALE = 'is stale: run npm run build && node scripts/generate-admin-docs.mjs';

const yaml = readFileSync(admin.adminSpecPath, 'utf8');
const readme = readFileSync(readmePath, 'utf8');
const begin = readme.indexOf(admin.README_STATES_BEGIN);
const end = readme.indexOf(admin.README_STATES_END);
if (begin < 0 || end < begin)
  throw new Error(
    `docs/states.md lacks the ${admin.README_STATES_BEGIN} ... ${admin.README_STATES_END} lines`,
  );
const table = admin.renderStatesMarkdown().join('\n');

if (check) {
  let stale = false;
  if (JSON.stringify(admin.adminSpecStates(yaml)) !== JSON.stringify(describeStates())) {
    console.error(`${admin.adminSpecPath} ${STALE}`);
    stale = true;
  }
  const section = readme.slice(begin + admin.README_STATES_BEGIN.length, end);
  if (admin.normalizeTables(section) !== admin.normalizeTables(table)) {
    console.error(`${readmePath} ${STALE}`);
    stale = true;
  }
  process.exit(stale ? 1 : 0);
}

const at = yaml.indexOf(`\n${admin.ADMIN_STATES_MARKER}\n`);
if (at < 0) throw new Error(`${admin.adminSpecPath} lost its line "${admin.ADMIN_STATES_MARKER}"`);
writeFileSync(admin.adminSpecPath, `${yaml.slice(0, at + 1)}${admin.renderAdminStatesExample()}`);
writeFileSync(
  readmePath,
  `${readme.slice(0, begin + admin.README_STATES_BEGIN.length)}\n\n${table}\n\n${readme.slice(end)}`,
);
execFileSync(
  join(root, 'node_modules', '.bin', 'biome'),
  ['format', '--write', admin.adminSpecPath, readmePath],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
console.log(`wrote ${admin.adminSpecPath} and ${readmePath}`);
