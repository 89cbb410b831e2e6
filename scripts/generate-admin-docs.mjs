// Regenerates what is derived from src/states for the admin interface: the example of
// GET /_admin/provider-states at the end of openapi/admin.yaml and README's table of provider
// states. Reads the built modules: `npm run build && node scripts/generate-admin-docs.mjs`.
// `--check` exits 1 when either is stale instead of writing them.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const admin = await import(join(root, 'dist', 'docs', 'admin.js'));
const check = process.argv.includes('--check');
let stale = false;

function update(path, text) {
  const current = readFileSync(path, 'utf8');
  if (current === text) return;
  stale = true;
  if (check) console.error(`${path} is stale: run npm run build && node scripts/generate-admin-docs.mjs`);
  else {
    writeFileSync(path, text);
    console.log(`wrote ${path}`);
  }
}

const yaml = readFileSync(admin.adminSpecPath, 'utf8');
const at = yaml.indexOf(`\n${admin.ADMIN_STATES_MARKER}\n`);
if (at < 0) throw new Error(`${admin.adminSpecPath} lost its line "${admin.ADMIN_STATES_MARKER}"`);
update(admin.adminSpecPath, `${yaml.slice(0, at + 1)}${admin.renderAdminStatesExample()}`);

const readmePath = join(root, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const begin = readme.indexOf(admin.README_STATES_BEGIN);
const end = readme.indexOf(admin.README_STATES_END);
if (begin < 0 || end < begin)
  throw new Error(`README.md lacks the ${admin.README_STATES_BEGIN} ... ${admin.README_STATES_END} lines`);
update(
  readmePath,
  `${readme.slice(0, begin + admin.README_STATES_BEGIN.length)}\n\n${admin.renderStatesMarkdown().join('\n')}\n\n${readme.slice(end)}`,
);
if (check && stale) process.exit(1);
