// Accepted, refused (429) and failed requests per second of a run, read from k6's JSON output
// (`--out json=FILE`): k6's end-of-test summary has no time series.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { RateSecond } from './summary.js';

interface Point {
  type?: string;
  metric?: string;
  data?: { time?: string; value?: number; tags?: Record<string, string> };
}

/**
 * Reads the http_reqs points of a k6 JSON output, line by line (the file can be large), and counts
 * them per second since the first one. The setup request (tag name=setup) is left out.
 */
export async function readTimeline(path: string): Promise<RateSecond[]> {
  const counts = new Map<number, RateSecond>();
  let first: number | undefined;
  const lines = createInterface({
    input: createReadStream(path, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) {
    // Cheap filter first: most lines are other metrics.
    if (!line.includes('"metric":"http_reqs"') || !line.includes('"type":"Point"')) continue;
    let p: Point;
    try {
      p = JSON.parse(line) as Point;
    } catch {
      continue;
    }
    const tags = p.data?.tags ?? {};
    if (tags.name === 'setup' || p.data?.time === undefined) continue;
    const t = Date.parse(p.data.time);
    if (Number.isNaN(t)) continue;
    first ??= t;
    const second = Math.max(0, Math.floor((t - first) / 1000));
    const bucket = counts.get(second) ?? { second, accepted: 0, refused: 0, failed: 0 };
    const status = Number(tags.status ?? '0');
    const n = p.data.value ?? 1;
    if (status === 429) bucket.refused += n;
    else if (status >= 200 && status < 300) bucket.accepted += n;
    else bucket.failed += n;
    counts.set(second, bucket);
  }
  const last = Math.max(-1, ...counts.keys());
  return Array.from(
    { length: last + 1 },
    (_, s) => counts.get(s) ?? { second: s, accepted: 0, refused: 0, failed: 0 },
  );
}
