// Finds a number's literal in JSON text by JSON pointer, so a message can show an integer past 2^53
// exactly as the client sent it (JSON.parse has already rounded it). Called only for such issues.

/**
 * The literal of the number at `pointer` in `text` (valid JSON), or undefined when the value there
 * is not a number. With duplicate keys the last one wins, as in JSON.parse.
 */
export function rawNumberAt(text: string, pointer: string): string | undefined {
  const keys =
    pointer === ''
      ? []
      : pointer
          .slice(1)
          .split('/')
          .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  let at = skipSpace(text, 0);
  for (const key of keys) {
    const found = child(text, at, key);
    if (found < 0) return undefined;
    at = found;
  }
  const m = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(at, at + 400));
  return m === null ? undefined : m[0];
}

/** Start of the member `key` (object) or item `key` (array) of the value at `at`; -1 when absent. */
function child(text: string, at: number, key: string): number {
  const open = text[at];
  if (open !== '{' && open !== '[') return -1;
  let i = skipSpace(text, at + 1);
  if (text[i] === (open === '{' ? '}' : ']')) return -1;
  let found = -1;
  for (let index = 0; ; index++) {
    let matches: boolean;
    if (open === '{') {
      const end = skipString(text, i);
      matches = JSON.parse(text.slice(i, end)) === key;
      i = skipSpace(text, skipSpace(text, end) + 1); // past ':'
    } else matches = String(index) === key;
    if (matches) found = i;
    i = skipSpace(text, skipValue(text, i));
    if (text[i] !== ',') return found;
    i = skipSpace(text, i + 1);
  }
}

function skipSpace(text: string, i: number): number {
  let j = i;
  while (j < text.length && (text[j] === ' ' || text[j] === '\n' || text[j] === '\r' || text[j] === '\t'))
    j++;
  return j;
}

/** Index just past the string starting at `i` (a '"'). */
function skipString(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
  return j + 1;
}

/** Index just past the value starting at `i`. */
function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c !== '{' && c !== '[') {
    let j = i;
    while (j < text.length && !/[,\]}\s]/.test(text[j] as string)) j++;
    return j;
  }
  let depth = 0;
  let j = i;
  while (j < text.length) {
    const d = text[j];
    if (d === '"') {
      j = skipString(text, j);
      continue;
    }
    if (d === '{' || d === '[') depth++;
    else if (d === '}' || d === ']') {
      depth--;
      if (depth === 0) return j + 1;
    }
    j++;
  }
  return j;
}
