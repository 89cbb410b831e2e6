// Where each property of a named schema lands in the bodies of the spec: the request and every
// answer (`EarnResult.earnedId` -> 200 `response[].result.earnedId`), so a diff can name the places
// a consumer depends on (src/diff/consumer.ts).

export type Node = Record<string, unknown>;

/** Where a body place is: the request, or the answer of one status (as the spec keys it: 200, 5XX). */
export type Where = 'request' | string;

/** One place of a body that a schema property lands on: `200` `response[].result.earnedId`. */
export interface BodyPlace {
  where: Where;
  path: string;
}

export const isNode = (v: unknown): v is Node => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Follows local $refs (`#/components/...`); the name when it lands on components/schemas/NAME. */
function deref(doc: Node, node: unknown): { node: Node; schema?: string } {
  let cur: unknown = node;
  let schema: string | undefined;
  for (let hops = 0; hops < 20 && isNode(cur) && typeof cur.$ref === 'string'; hops++) {
    const ref = cur.$ref;
    const m = /^#\/components\/schemas\/([^/]+)$/.exec(ref);
    if (m !== null) schema = m[1];
    let target: unknown = doc;
    for (const part of ref.replace(/^#\//, '').split('/')) {
      target = isNode(target) ? target[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
    }
    cur = target;
  }
  return { node: isNode(cur) ? cur : {}, ...(schema === undefined ? {} : { schema }) };
}

/**
 * Every property of a named schema, with the body places it lands on, for the request body and each
 * answer of every operation (`EarnResult.earnedId` → 200 `response[].result.earnedId`). The suite
 * is about one endpoint, so places are not told apart by operation.
 */
export function schemaPlaces(doc: Node): Map<string, BodyPlace[]> {
  const out = new Map<string, BodyPlace[]>();
  const add = (field: string, place: BodyPlace) => {
    const list = out.get(field) ?? [];
    if (!list.some((p) => p.where === place.where && p.path === place.path)) list.push(place);
    out.set(field, list);
  };
  const walk = (raw: unknown, where: Where, path: string, owner: string, rel: string, seen: string[]) => {
    const { node, schema } = deref(doc, raw);
    if (schema !== undefined) {
      if (seen.includes(schema) || seen.length > 12) return;
      owner = schema;
      rel = '';
      seen = [...seen, schema];
    }
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
      const alts = node[key];
      if (Array.isArray(alts)) for (const alt of alts) walk(alt, where, path, owner, rel, seen);
    }
    if (isNode(node.properties)) {
      for (const [name, child] of Object.entries(node.properties)) {
        const childPath = path === '' ? name : `${path}.${name}`;
        const childRel = rel === '' ? name : `${rel}.${name}`;
        if (owner !== '') add(`${owner}.${childRel}`, { where, path: childPath });
        walk(child, where, childPath, owner, childRel, seen);
      }
    }
    if (node.items !== undefined) walk(node.items, where, `${path}[]`, owner, `${rel}[]`, seen);
  };
  const paths = isNode(doc.paths) ? doc.paths : {};
  for (const item of Object.values(paths)) {
    if (!isNode(item)) continue;
    for (const op of Object.values(item)) {
      if (!isNode(op)) continue;
      const body = deref(doc, op.requestBody).node;
      for (const media of Object.values(isNode(body.content) ? body.content : {})) {
        if (isNode(media)) walk(media.schema, 'request', '', '', '', []);
      }
      for (const [status, raw] of Object.entries(isNode(op.responses) ? op.responses : {})) {
        const response = deref(doc, raw).node;
        for (const media of Object.values(isNode(response.content) ? response.content : {})) {
          if (isNode(media)) walk(media.schema, status, '', '', '', []);
        }
      }
    }
  }
  return out;
}
