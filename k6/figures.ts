// Reading the figures of a 200 answer without JSON.parse: parsing a 1000-customer answer costs k6
// about 8 ms of CPU, a regular expression over all of it about 1 ms; both are taken from the target
// when they share a machine (npm run bench:load). Here: native lastIndexOf + parseInt for the
// counts that close the answer, and one native indexOf scan of the whole body for warnings.
// Exact: a quote inside a JSON string is escaped, so `"failureCount":` and `"warnings":[{` can
// only match the answer's own keys. No k6 import, so a unit test runs it.

const TOTAL = /"totalCount"\s*:\s*(\d+)/;
const FAILURES = /"failureCount"\s*:\s*(\d+)/;
const WARNED = /"warnings"\s*:\s*\[\s*\{/g;
const WARNINGS_KEY = '"warnings"';
/**
 * The tail of a compact non-empty warnings key, without its opening quote: a quote is the most
 * common byte of JSON, so a needle starting with one makes the native search stop at every key.
 */
const WARNED_TAIL = 'warnings":[{';

/** Whether the quote just before `at` is not escaped (an even run of backslashes precedes it). */
function opensKey(body: string, at: number): boolean {
  if (body.charCodeAt(at - 1) !== 34) return false;
  let slashes = 0;
  while (body.charCodeAt(at - 2 - slashes) === 92) slashes++;
  return slashes % 2 === 0;
}

export interface AnswerFigures {
  /** Customers answered (totalCount). */
  total: number;
  /** Customers with an error (failureCount). */
  failed: number;
  /** Customers whose entry has at least one warning. */
  warned: number;
}

/**
 * Entries with a non-empty warnings array. A serializer writes every entry alike, so when the first
 * warnings key is compact (`"warnings":[`) one native indexOf per warned entry counts them (an
 * unescaped quote, then `warnings":[{`, can only be that key: inside a string the second quote
 * would be escaped); a body with spaces there is counted with the regular expression.
 */
export function warnedEntries(body: string): number {
  const first = body.indexOf(WARNINGS_KEY);
  if (first < 0) return 0;
  if (!body.startsWith('"warnings":[', first)) return body.match(WARNED)?.length ?? 0;
  let n = 0;
  for (let at = body.indexOf(WARNED_TAIL, first); at >= 0; at = body.indexOf(WARNED_TAIL, at + 12)) {
    if (opensKey(body, at)) n++;
  }
  return n;
}

/** The figures of a directEarn 200 body, or undefined when it has no totalCount (not an answer). */
export function answerFigures(body: string): AnswerFigures | undefined {
  const total = countOf(body, '"totalCount":', TOTAL);
  if (total === undefined) return undefined;
  return { total, failed: countOf(body, '"failureCount":', FAILURES) ?? 0, warned: warnedEntries(body) };
}

/**
 * The whole number after `key` (`"totalCount":`), searched from the end where the counts close the
 * answer: a native lastIndexOf and parseInt (which skips spaces and stops at the first non-digit),
 * the regular expression only when the key is written with a space before its colon.
 */
function countOf(body: string, key: string, re: RegExp): number | undefined {
  const at = body.lastIndexOf(key);
  if (at >= 0) {
    const n = parseInt(body.slice(at + key.length, at + key.length + 24), 10);
    if (n >= 0) return n;
  }
  const m = re.exec(body);
  return m === null ? undefined : Number(m[1]);
}
