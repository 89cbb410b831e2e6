// The one output hygiene rule: text that came from a target or a file is made printable before it
// reaches a terminal, a log line or a report (JUnit, HTML, YAML). Control characters (ESC and the
// terminal sequences it starts, NUL, DEL, C1), carriage returns, Unicode noncharacters (U+FFFE,
// U+FFFF, U+FDD0..U+FDEF and their kin in every plane, which XML cannot hold), lone surrogates,
// bidirectional overrides (text that displays other than it reads) and line separators become
// visible escapes (\x1b, \uFFFE, \uD800); a one-line field also escapes newlines and tabs, so a host
// cannot forge a line such as "Verdict: PASSED".

/** Planes 1..16 noncharacters U+nFFFE and U+nFFFF, as a character class body. */
const PLANE_NONCHARACTERS = Array.from({ length: 16 }, (_, i) => {
  const plane = (i + 1).toString(16);
  return `\\u{${plane}fffe}\\u{${plane}ffff}`;
}).join('');

/**
 * Everything never shown raw (outside tab and newline): C0 controls, DEL, C1 controls, U+2028/2029,
 * bidi embeddings/overrides/isolates, noncharacters, U+FFFD (a decoding error made visible), and
 * (with the `u` flag) only lone surrogates, paired ones being one character.
 */
const UNSAFE = new RegExp(
  `[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069\\ufdd0-\\ufdef\\ufffd-\\uffff\\ud800-\\udfff${PLANE_NONCHARACTERS}]`,
  'gu',
);
/** The same plus tab and newline, for one-line fields. */
const UNSAFE_ONE_LINE = new RegExp(UNSAFE.source.replace('\\u000b-', '\\u0009-\\u000a\\u000b-'), 'gu');
/** Our own colour codes (SGR: ESC [ digits m), the one escape sequence a coloured terminal gets. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ESC is the point
const SGR = /(\u001b\[(?:0|1|2|3[0-7])m)/;

function escapeChar(c: string): string {
  const cp = c.codePointAt(0) as number;
  if (cp < 0x100) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp <= 0xffff) return `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return `\\u{${cp.toString(16).toUpperCase()}}`;
}

/**
 * A one-line field (a message, a name, a URL, a header value): every unsafe character and every
 * newline or tab escaped, cut at `max` characters (default 200; Infinity keeps it whole).
 */
export function printable(text: string, max = 200): string {
  const cut = text.length > max ? `${text.slice(0, max)}...` : text;
  return cut.replace(UNSAFE_ONE_LINE, escapeChar);
}

/** Multi-line text (a report, a failure's details): newlines and tabs kept, everything else as printable. */
export function printableLines(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/**
 * A line on its way to a terminal or a log: as printableLines, but with `color` the suite's own SGR
 * colour codes pass (nothing else that starts with ESC does).
 */
export function terminalSafe(line: string, color: boolean): string {
  if (!color) return printableLines(line);
  return line
    .split(SGR)
    .map((part, i) => (i % 2 === 1 ? part : printableLines(part)))
    .join('');
}

/** Whether `text` holds a character printableLines would escape (for input checks). */
export function hasUnsafe(text: string): boolean {
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(text);
}

/** Text for an HTML page (text or a quoted attribute): the printable rule, then the markup characters. */
export function htmlEscape(text: string): string {
  return printableLines(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
