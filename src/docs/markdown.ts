// The Markdown reference of the endpoint, generated from the spec for wikis and pull requests:
// request and response fields, the table of codes, every example, and what is inferred.
import { type CatalogueEntry, ENDPOINT_PATH, loadSpec, type SpecDocument } from '../openapi/index.js';

type Node = Record<string, unknown>;

/** Follows a local $ref ("#/components/schemas/X"); other nodes come back as they are. */
function deref(doc: SpecDocument, node: unknown): Node {
  let cur = node as Node;
  for (
    let hops = 0;
    hops < 20 && cur !== null && typeof cur === 'object' && typeof cur.$ref === 'string';
    hops++
  ) {
    let target: unknown = doc;
    for (const part of (cur.$ref as string).replace(/^#\//, '').split('/')) {
      target = (target as Node | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    // A $ref with siblings (OpenAPI 3.1): the siblings (description) override the target's.
    const { $ref: _ref, ...siblings } = cur;
    cur = { ...(target as Node), ...siblings };
  }
  return cur ?? {};
}

/** Pipes and newlines would break a Markdown table cell. */
export function cell(text: string): string {
  return text
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

function typeOf(doc: SpecDocument, node: Node): string {
  const s = deref(doc, node);
  if (Array.isArray(s.oneOf) || Array.isArray(s.anyOf)) {
    return ((s.oneOf ?? s.anyOf) as unknown[]).map((alt) => typeOf(doc, alt as Node)).join(' or ');
  }
  let t = Array.isArray(s.type) ? (s.type as string[]).join(' | ') : String(s.type ?? 'any');
  if (t === 'array' && s.items !== undefined) t = `array of ${typeOf(doc, s.items as Node)}`;
  if (s.type === 'string' && typeof s.pattern === 'string') t = `${t} (${s.pattern})`;
  if (Array.isArray(s.enum)) t = `${t}: ${(s.enum as unknown[]).map((v) => `\`${String(v)}\``).join(', ')}`;
  if (s.const !== undefined) t = `${t} = \`${String(s.const)}\``;
  return t;
}

/** Whether the node (or its description) says it is this suite's reading rather than the doc's. */
function isInferred(node: Node): boolean {
  return node['x-inferred'] === true || /\bInferred[:.]/.test(String(node.description ?? ''));
}

interface FieldRow {
  path: string;
  type: string;
  required: boolean;
  description: string;
  inferred: boolean;
}

/** Flattens an object schema into dotted field paths (customers[].identifierValue). */
export function fieldRows(doc: SpecDocument, schema: unknown, prefix = '', depth = 0): FieldRow[] {
  const s = deref(doc, schema);
  const props = (s.properties ?? {}) as Record<string, Node>;
  const required = new Set((s.required ?? []) as string[]);
  const rows: FieldRow[] = [];
  for (const [name, raw] of Object.entries(props)) {
    const p = deref(doc, raw);
    const path = `${prefix}${name}`;
    rows.push({
      path,
      type: typeOf(doc, raw),
      required: required.has(name),
      description: String(p.description ?? ''),
      inferred: isInferred(p),
    });
    if (depth > 4) continue;
    if (p.type === 'object' || p.properties !== undefined)
      rows.push(...fieldRows(doc, p, `${path}.`, depth + 1));
    if (p.type === 'array' && p.items !== undefined) {
      const item = deref(doc, p.items);
      if (item.properties !== undefined) rows.push(...fieldRows(doc, item, `${path}[].`, depth + 1));
    }
  }
  return rows;
}

function fieldTable(rows: FieldRow[]): string[] {
  return [
    '| field | type | required | description |',
    '|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| \`${r.path}\` | ${cell(r.type)} | ${r.required ? 'yes' : 'no'} | ${cell(r.description)}${r.inferred ? ' *(partly inferred)*' : ''} |`,
    ),
  ];
}

/**
 * A case's example body as a table cell shows it: the shortest of the case's spec examples, as
 * one line of JSON with a space after each comma and colon so the cell can wrap, and its name.
 */
export function exampleBody(
  entry: CatalogueEntry,
  doc: SpecDocument = loadSpec(),
): { name: string; json: string } | undefined {
  const bodies = entry.examples
    .map((name) => ({ name, value: (doc.components?.examples?.[name] as Node | undefined)?.value }))
    .filter((e) => e.value !== undefined)
    .map((e) => ({ name: e.name, json: JSON.stringify(e.value, null, 1).replace(/\n\s*/g, ' ') }));
  return bodies.sort((a, b) => a.json.length - b.json.length)[0];
}

/** The example cell of a code table: the body in inline code, then the example's name. */
export function exampleCell(entry: CatalogueEntry, doc: SpecDocument = loadSpec()): string {
  const body = exampleBody(entry, doc);
  return body === undefined
    ? '*(no example in the spec)*'
    : `\`${cell(body.json)}\`<br>*(example \`${body.name}\`)*`;
}

/** The table of every error, warning and HTTP code with its exact message, trigger and example body. */
export function codeTable(doc: SpecDocument = loadSpec()): string[] {
  return [
    '| case | kind | code | message (exact) | when | counts as failure | precedence | source | example body |',
    '|---|---|---|---|---|---|---|---|---|',
    ...doc['x-directearn-catalogue'].map(
      (c) =>
        `| ${c.case} | ${c.kind} | ${c.code ?? '–'} | ${c.message === null ? '–' : `\`${cell(c.message)}\``} | ${cell(c.trigger)} | ${c.failure ? 'yes' : 'no'} | ${c.precedence ?? '–'} | ${c.inferred ? 'inferred' : 'documented'} | ${exampleCell(c, doc)} |`,
    ),
  ];
}

/** Every node of the spec marked `x-inferred: true`, as JSON pointers with their first sentence. */
export function inferredElements(doc: SpecDocument): { pointer: string; description: string }[] {
  const found: { pointer: string; description: string }[] = [];
  const walk = (node: unknown, pointer: string) => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach((v, i) => {
        walk(v, `${pointer}/${i}`);
      });
      return;
    }
    const n = node as Node;
    if (pointer.startsWith('/x-directearn-catalogue')) return; // listed in the code table
    if (n['x-inferred'] === true) {
      const d = String(n.description ?? n.summary ?? '').split('\n')[0] ?? '';
      found.push({ pointer: pointer === '' ? '/' : pointer, description: d });
    }
    for (const [k, v] of Object.entries(n))
      walk(v, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  };
  walk(doc, '');
  return found;
}

/** The whole Markdown reference (reference.md). */
export function renderMarkdownReference(doc: SpecDocument = loadSpec()): string {
  const op = doc.paths?.[ENDPOINT_PATH]?.post as Node | undefined;
  const requestSchema = (op?.requestBody as Node | undefined)?.content as Record<string, Node> | undefined;
  const responses = (op?.responses ?? {}) as Record<string, unknown>;
  const examples = (doc.components?.examples ?? {}) as Record<string, Node>;
  const security = Object.entries((doc.components?.securitySchemes ?? {}) as Record<string, Node>);

  const lines: string[] = [
    `# ${doc.info.title} (${doc.info.version})`,
    '',
    '<!-- Generated by `directearn docs` from openapi/directEarn.yaml; edit the spec, not this file. -->',
    '',
    `\`POST ${ENDPOINT_PATH}\`: ${String(op?.summary ?? '')}`,
    '',
    String(doc.info.description ?? '').trim(),
    '',
    '## Authentication',
    '',
    ...security.map(([name, s]) => `- \`${name}\`: ${cell(String(s.description ?? ''))}`),
    '',
    '## Request body',
    '',
    ...fieldTable(fieldRows(doc, requestSchema?.['application/json']?.schema)),
    '',
    '## Response body (200)',
    '',
    ...fieldTable(
      fieldRows(
        doc,
        (deref(doc, responses['200']).content as Record<string, Node> | undefined)?.['application/json']
          ?.schema,
      ),
    ),
    '',
    '## HTTP statuses',
    '',
    '| status | meaning | source |',
    '|---|---|---|',
    ...Object.entries(responses).map(([status, r]) => {
      const resp = deref(doc, r);
      return `| ${status} | ${cell(String(resp.description ?? ''))} | ${isInferred(resp) ? 'inferred' : 'documented'} |`;
    }),
    '',
    '## Error and warning codes',
    '',
    'Per-customer cases are checked in precedence order; the first that applies wins, and when none',
    'applies the customer earns. "documented" rows come from the public doc; "inferred" rows are',
    "this suite's reading where the doc is silent.",
    '',
    ...codeTable(doc),
    '',
    '## Examples',
    '',
    ...Object.entries(examples).flatMap(([name, ex]) => [
      `### ${name}${ex['x-inferred'] === true ? ' (inferred)' : ''}`,
      '',
      ...(ex.summary === undefined ? [] : [String(ex.summary), '']),
      '```json',
      JSON.stringify(ex.value, null, 2),
      '```',
      '',
    ]),
    '## Documented vs inferred',
    '',
    'Everything not listed here comes from the public doc. These elements of the spec carry',
    '`x-inferred: true`: doubt them first on a real host.',
    '',
    '| where in the spec | what |',
    '|---|---|',
    ...inferredElements(doc).map((e) => `| \`${e.pointer}\` | ${cell(e.description)} |`),
    '',
  ];
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n')}`;
}
