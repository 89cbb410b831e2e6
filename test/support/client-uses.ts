// Reads, with the TypeScript compiler, what src/client's code reads from answers and writes into
// requests, as properties of the types generated from the spec: what src/client/uses.ts declares.
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import ts from 'typescript';
import type { ClientUse } from '../../src/client/uses.js';
import { schemaPlaces } from '../../src/diff/schema-places.js';
import { loadSpec } from '../../src/openapi/index.js';
import { packageRoot } from '../../src/util/package-root.js';

const CLIENT_DIR = join(packageRoot, 'src', 'client');
const GENERATED = join(packageRoot, 'src', 'openapi', 'generated', 'directEarn.ts');

/**
 * The schema property a declaration of the generated file is: `EarnResult.earnedId`, or
 * `HttpError.errors[].field` for a property of an inline item. Undefined outside components.schemas.
 */
function schemaPath(decl: ts.Declaration): string | undefined {
  if (decl.getSourceFile().fileName !== GENERATED) return undefined;
  const parts: string[] = [];
  let node: ts.Node | undefined = decl;
  while (node !== undefined) {
    if (ts.isPropertySignature(node)) {
      const name = node.name.getText();
      const owner: ts.Node | undefined = node.parent?.parent;
      if (owner !== undefined && ts.isPropertySignature(owner) && owner.name.getText() === 'schemas') {
        return [name, ...parts].join('.').replace(/\.\[\]/g, '[]');
      }
      parts.unshift(name);
    } else if (ts.isArrayTypeNode(node)) {
      parts.unshift('[]');
    }
    node = node.parent;
  }
  return undefined;
}

/** `client.ts outcomeOf`, `client.ts DirectEarnClient.post`: the function or method a node is in. */
function whereIn(node: ts.Node): string {
  const names: string[] = [];
  for (let n: ts.Node | undefined = node; n !== undefined; n = n.parent) {
    if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isClassDeclaration(n)) && n.name) {
      names.unshift(n.name.getText());
    } else if (
      ts.isVariableDeclaration(n) &&
      ts.isIdentifier(n.name) &&
      ts.isSourceFile(n.parent.parent.parent)
    ) {
      names.unshift(n.name.getText());
    }
  }
  return `${basename(node.getSourceFile().fileName)} ${names.join('.') || '(module)'}`;
}

/** Every read and send of a spec property by src/client's code, merged per property and use. */
export function deriveClientUses(): ClientUse[] {
  const files = readdirSync(CLIENT_DIR)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(CLIENT_DIR, f));
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2023.d.ts'],
    // @types/node is not needed to resolve the spec's types, and loading it is most of the time.
    types: [],
    strict: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const found = new Map<
    string,
    { field: string; use: ClientUse['use']; by: Set<string>; values: Set<string> }
  >();
  const add = (field: string, use: ClientUse['use'], by: string, value?: string) => {
    const key = `${use} ${field}`;
    const entry = found.get(key) ?? { field, use, by: new Set<string>(), values: new Set<string>() };
    entry.by.add(by);
    if (value !== undefined) entry.values.add(value);
    found.set(key, entry);
  };
  // Reading a field of the client's own request (request.customers.length) is a use of what it sends.
  const places = schemaPlaces(loadSpec() as unknown as Record<string, unknown>);
  const onRequest = (field: string) => (places.get(field) ?? []).every((p) => p.where === 'request');
  const fieldsOf = (symbol: ts.Symbol | undefined): string[] =>
    (symbol?.declarations ?? []).map(schemaPath).filter((p): p is string => p !== undefined);

  for (const file of files) {
    const source = program.getSourceFile(file);
    if (source === undefined) throw new Error(`${file}: not in the program`);
    const visit = (node: ts.Node): void => {
      if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
        const symbol = checker.getSymbolAtLocation(ts.isPropertyAccessExpression(node) ? node.name : node);
        for (const field of fieldsOf(symbol)) add(field, onRequest(field) ? 'sends' : 'reads', whereIn(node));
      } else if (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent)) {
        const name = (node.propertyName ?? node.name).getText();
        const symbol = checker.getTypeAtLocation(node.parent).getProperty(name);
        for (const field of fieldsOf(symbol)) add(field, onRequest(field) ? 'sends' : 'reads', whereIn(node));
      } else if (
        (ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node)) &&
        ts.isObjectLiteralExpression(node.parent)
      ) {
        const symbol = checker.getContextualType(node.parent)?.getProperty(node.name.getText());
        const init = ts.isPropertyAssignment(node) ? node.initializer : undefined;
        // A literal written into the request (an enum value the client itself sends).
        const literals =
          init === undefined
            ? []
            : [init, ...(ts.isBinaryExpression(init) ? [init.left, init.right] : [])].filter(
                ts.isStringLiteral,
              );
        for (const field of fieldsOf(symbol)) {
          add(field, 'sends', whereIn(node));
          for (const l of literals) add(field, 'sends', whereIn(node), l.text);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return [...found.values()]
    .map((e) => ({
      field: e.field,
      use: e.use,
      by: [...e.by].sort(),
      ...(e.values.size > 0 ? { values: [...e.values].sort() } : {}),
    }))
    .sort((a, b) => a.use.localeCompare(b.use) || a.field.localeCompare(b.field));
}
