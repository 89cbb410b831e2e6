// Grades oasdiff's output for a consumer of the endpoint: its classified changelog, plus the
// changes its changelog leaves out (descriptions, examples, servers), read from its diff tree.
import type { Finding, Severity } from './diff-report.js';
import type { OasdiffChange, OasdiffTree } from './oasdiff.js';

/**
 * Where a consumer's view differs from oasdiff's level. oasdiff calls removing an optional response
 * field "info" (the schema still validates); a consumer that reads the field loses it.
 */
const CONSUMER_LEVEL: Record<string, Severity> = {
  'response-optional-property-removed': 'warning',
  'response-optional-property-became-write-only': 'warning',
};

const LEVELS: Record<number, Severity> = { 3: 'breaking', 2: 'warning', 1: 'info' };

/** `response/items/result/earnedId` → `response[].result.earnedId`. */
export function fieldPath(raw: string): string {
  return raw
    .replace(/\/items(?=\/|$)/g, '[]')
    .replace(/\//g, '.')
    .replace(/\.\[\]/g, '[]');
}

/** The field, parameter or status an oasdiff change names, as `request x.y` / `response x.y`. */
export function subjectOf(change: OasdiffChange): string {
  const side = change.id.startsWith('request') || change.id.includes('-request-') ? 'request' : 'response';
  const patterns = [
    /`([^`]+)` (?:request|response)(?:'s)? property/,
    /propert(?:y|ies) `([^`]+)`/,
    /parameter `([^`]+)`/,
    /header `([^`]+)`/,
  ];
  for (const p of patterns) {
    const m = p.exec(change.text);
    if (m?.[1] !== undefined) return `${side} ${fieldPath(m[1])}`;
  }
  const status = /status `([^`]+)`/.exec(change.text);
  if (status?.[1] !== undefined) return `response ${status[1]}`;
  if (change.section !== undefined && change.section !== 'paths') return change.section;
  return change.operation !== undefined ? `${change.operation} ${change.path ?? ''}`.trim() : change.id;
}

/** oasdiff's changelog as findings. */
export function changelogFindings(changes: readonly OasdiffChange[]): Finding[] {
  return changes.map((c) => ({
    severity: CONSUMER_LEVEL[c.id] ?? LEVELS[c.level] ?? 'info',
    source: 'structure',
    subject: subjectOf(c),
    change: c.id,
    text: c.text.replace(/`/g, ''),
  }));
}

const SKIP = new Set([
  'modified',
  'operations',
  'content',
  'properties',
  'schema',
  'application/json',
  'paths',
]);

/** A readable place from the key path of a diff tree node: `request promotionDetails.programId`. */
function place(keys: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    // The one path and its method are the same everywhere; "modified" and friends are oasdiff's.
    if (SKIP.has(k) || k.startsWith('/') || /^[A-Z]+$/.test(k)) continue;
    if (k === 'requestBody') out.push('request');
    else if (k === 'items') out.push('[]');
    else if (k === 'responses') {
      out.push(`response ${keys[i + 2] ?? ''}`.trim()); // responses > modified > <status>
      i += 2;
    } else out.push(k);
  }
  const [head, ...rest] = out;
  if (head === undefined) return 'the operation';
  return `${head} ${rest.join('.').replace(/\.\[\]/g, '[]')}`.trim();
}

const isFromTo = (v: unknown): v is { from: unknown; to: unknown } =>
  v !== null && typeof v === 'object' && 'from' in v && 'to' in v;

const info = (subject: string, change: string, text: string): Finding => ({
  severity: 'info',
  source: 'structure',
  subject,
  change,
  text,
});

const clip = (v: unknown) => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 80 ? `"${s.slice(0, 77)}..."` : `"${s}"`;
};

/** Examples added, removed or changed under one request body or response. */
function exampleFindings(node: Record<string, unknown>, where: string): Finding[] {
  const out: Finding[] = [];
  for (const name of (node.added as string[] | undefined) ?? []) {
    out.push(info(where, 'example-added', `new example ${name} in the ${where}`));
  }
  for (const name of (node.deleted as string[] | undefined) ?? []) {
    out.push(info(where, 'example-removed', `example ${name} removed from the ${where}`));
  }
  for (const [name, what] of Object.entries((node.modified as Record<string, object> | undefined) ?? {})) {
    out.push(
      info(
        where,
        'example-changed',
        `example ${name} of the ${where} changed (${Object.keys(what).join(', ')})`,
      ),
    );
  }
  return out;
}

/** Walks the `paths` part of the diff tree for the documentation-only changes. */
function walkDocs(node: unknown, keys: string[], out: Finding[]): void {
  if (node === null || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if ((k === 'description' || k === 'summary' || k === 'title') && isFromTo(v)) {
      const where = place(keys);
      out.push(info(where, `${k}-changed`, `${k} of ${where} changed from ${clip(v.from)} to ${clip(v.to)}`));
    } else if (k === 'examples' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      out.push(...exampleFindings(v as Record<string, unknown>, place(keys)));
    } else if (k === 'example' && isFromTo(v)) {
      out.push(info(place(keys), 'example-changed', `example of ${place(keys)} changed`));
    } else {
      walkDocs(v, [...keys, k], out);
    }
  }
}

/**
 * Servers: a consumer that takes its base URL from the spec must change its configuration, so a
 * server added, removed or changed is a warning.
 */
function serverFindings(servers: Record<string, unknown>): Finding[] {
  const out: Finding[] = [];
  const warn = (subject: string, change: string, text: string): Finding => ({
    severity: 'warning',
    source: 'structure',
    subject,
    change,
    text,
  });
  const added = (servers.added as string[] | undefined) ?? [];
  const deleted = (servers.deleted as string[] | undefined) ?? [];
  for (const url of deleted)
    out.push(
      warn(
        `server ${url}`,
        'server-removed',
        `server ${url} removed${added.length > 0 ? ` (added: ${added.join(', ')})` : ''}`,
      ),
    );
  for (const url of added) out.push(warn(`server ${url}`, 'server-added', `server ${url} added`));
  for (const [url, what] of Object.entries((servers.modified as Record<string, unknown> | undefined) ?? {})) {
    const parts: string[] = [];
    const vars = (what as { variables?: Record<string, unknown> }).variables ?? {};
    for (const name of (vars.added as string[] | undefined) ?? []) parts.push(`variable ${name} added`);
    for (const name of (vars.deleted as string[] | undefined) ?? []) parts.push(`variable ${name} removed`);
    for (const [name, change] of Object.entries(
      (vars.modified as Record<string, Record<string, unknown>>) ?? {},
    )) {
      // Only what changes the URL a consumer calls counts; a variable's description does not.
      for (const [key, d] of Object.entries(change)) {
        if (key === 'description') continue;
        parts.push(
          isFromTo(d)
            ? `variable ${name} ${key} ${clip(d.from)} -> ${clip(d.to)}`
            : `variable ${name} ${key} changed`,
        );
      }
    }
    if (parts.length > 0) {
      out.push(warn(`server ${url}`, 'server-changed', `server ${url} changed: ${parts.join('; ')}`));
    } else {
      out.push(info(`server ${url}`, 'server-description-changed', `description of server ${url} changed`));
    }
  }
  return out;
}

/** The changes oasdiff's changelog does not grade: documentation, examples, servers, info. */
export function treeFindings(tree: OasdiffTree): Finding[] {
  const out: Finding[] = [];
  walkDocs(tree.paths, [], out);
  if (tree.servers !== undefined && tree.servers !== null) {
    out.push(...serverFindings(tree.servers as Record<string, unknown>));
  }
  if (tree.info !== undefined && tree.info !== null) {
    for (const [k, v] of Object.entries(tree.info as Record<string, unknown>)) {
      if (isFromTo(v))
        out.push(
          info('info', `info-${k}-changed`, `info.${k} changed from ${clip(v.from)} to ${clip(v.to)}`),
        );
    }
  }
  return out;
}
