// Checks the house rules a newcomer relies on (docs/changing.md): short files and functions, one
// JUnit writer, tests grouped by area, every source file opening with its purpose, and a README whose
// quick start comes first and which fits on a few screens. `npm test` runs it before vitest.
// Usage: node scripts/check-house.mjs [--list]   (exit 0 when every rule holds, 1 otherwise)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = join(import.meta.dirname, '..');
const LIMITS = { fileLines: 300, functionLines: 80, readmeLines: 250, quickStartBy: 15 };
/** Generated code is exempt from the length rules (it is rewritten by npm run generate). */
const GENERATED = new Set(['src/openapi/generated/directEarn.ts']);

/** Files under `dir` (relative to the root) whose name ends with one of `exts`. */
function walk(dir, exts) {
  const out = [];
  const full = join(root, dir);
  for (const name of readdirSync(full)) {
    const path = join(full, name);
    if (statSync(path).isDirectory()) out.push(...walk(relative(root, path), exts));
    else if (exts.some((e) => name.endsWith(e))) out.push(relative(root, path));
  }
  return out.sort();
}

/** Functions (declarations, methods, arrows, expressions) longer than the limit, with their name. */
function longFunctions(file, text) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found = [];
  const nameOf = (n) => {
    if (n.name) return n.name.getText(sf);
    const p = n.parent;
    if (p && (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p))) return p.name.getText(sf);
    return `(function at line ${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1})`;
  };
  const visit = (n) => {
    if (ts.isFunctionLike(n) && n.body) {
      const start = sf.getLineAndCharacterOfPosition(n.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(n.end).line;
      if (end - start + 1 > LIMITS.functionLines) found.push({ name: nameOf(n), lines: end - start + 1 });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

function check() {
  const problems = [];
  const sources = [...walk('src', ['.ts']), ...walk('k6', ['.ts'])];
  for (const file of sources) {
    const text = readFileSync(join(root, file), 'utf8');
    if (!text.startsWith('//') && !text.startsWith('/*'))
      problems.push(`${file}: does not open with a comment saying what it is for`);
    if (GENERATED.has(file)) continue;
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (lines > LIMITS.fileLines) problems.push(`${file}: ${lines} lines (at most ${LIMITS.fileLines})`);
    for (const f of longFunctions(file, text))
      problems.push(`${file}: function ${f.name} is ${f.lines} lines (at most ${LIMITS.functionLines})`);
  }
  const junitWriters = walk('src', ['.ts']).filter((f) =>
    readFileSync(join(root, f), 'utf8').includes('<testsuite'),
  );
  if (junitWriters.length > 1)
    problems.push(
      `JUnit XML is written in ${junitWriters.length} places (one writer): ${junitWriters.join(', ')}`,
    );
  for (const name of readdirSync(join(root, 'test')))
    if (name.endsWith('.test.ts')) problems.push(`test/${name}: tests live in test/<area>/, not test/`);
  const readme = readFileSync(join(root, 'README.md'), 'utf8').split('\n');
  if (readme.length > LIMITS.readmeLines)
    problems.push(`README.md: ${readme.length} lines (at most ${LIMITS.readmeLines}; guides go to docs/)`);
  const first = readme.slice(0, LIMITS.quickStartBy).join('\n');
  if (!first.includes('npm ci && npm start') || !/^npm test$/m.test(first))
    problems.push(
      `README.md: the quick start (npm ci && npm start, npm test) is not in the first ${LIMITS.quickStartBy} lines`,
    );
  return problems;
}

const problems = check();
for (const p of problems) console.log(p);
console.log(
  problems.length === 0
    ? 'house: every rule holds'
    : `house: ${problems.length} problem${problems.length === 1 ? '' : 's'} (rules: docs/changing.md)`,
);
process.exitCode = problems.length === 0 ? 0 : 1;
