// A real XML 1.0 parser for tests: Python's expat (through xml.etree), strict about well-formedness
// and the Char production (it refuses ESC, U+FFFE, U+FFFF). npm test already needs python3 (the
// Python example); no XML parser is among the suite's npm dependencies.
import { spawnSync } from 'node:child_process';

/** One element of a parsed document, in document order. */
export interface XmlElement {
  tag: string;
  attrib: Record<string, string>;
  text: string;
}

const SCRIPT = `
import sys, json, xml.etree.ElementTree as E
try:
    root = E.fromstring(sys.stdin.buffer.read())
except E.ParseError as e:
    print(json.dumps({"error": str(e)}))
    sys.exit(0)
print(json.dumps({"elements": [{"tag": el.tag, "attrib": el.attrib, "text": el.text or ""} for el in root.iter()]}))
`;

/** Parses `xml` (as UTF-8 bytes); returns its elements, or the parser's error when not well-formed. */
export function parseXml(xml: string): { elements: XmlElement[] } | { error: string } {
  const r = spawnSync('python3', ['-c', SCRIPT], { input: Buffer.from(xml, 'utf8'), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3 could not parse XML: ${r.stderr || String(r.error)}`);
  return JSON.parse(r.stdout) as { elements: XmlElement[] } | { error: string };
}
