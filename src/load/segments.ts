// k6's execution segments ("1/4:2/4", "0.25:0.5", "25%:50%") as exact fractions, and whether the
// runners of one run cover it exactly once: a gap is a missing runner, an overlap a part counted twice.

/** An exact fraction (segments are fractions like 1/3; floating point would leave gaps of 1e-17). */
interface Fraction {
  n: bigint;
  d: bigint;
}

const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));
function fraction(n: bigint, d: bigint): Fraction {
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}
const compare = (a: Fraction, b: Fraction): number => {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
};
const fractionText = (f: Fraction): string => (f.d === 1n ? String(f.n) : `${f.n}/${f.d}`);

/** A segment bound as k6 accepts it: 1/3, 0.25, 25%, 1. */
function boundOf(text: string): Fraction | undefined {
  const t = text.trim();
  let m = /^(\d+)\/(\d+)$/.exec(t);
  if (m !== null)
    return BigInt(m[2] as string) === 0n
      ? undefined
      : fraction(BigInt(m[1] as string), BigInt(m[2] as string));
  m = /^(\d+)(?:\.(\d+))?(%?)$/.exec(t);
  if (m === null) return undefined;
  const decimals = m[2] ?? '';
  const f = fraction(
    BigInt(`${m[1]}${decimals}`),
    10n ** BigInt(decimals.length) * (m[3] === '%' ? 100n : 1n),
  );
  return f;
}

/** An execution segment "from:to" (or "to", from 0) as two exact fractions, or undefined when it is not one. */
export function segmentOf(text: string): { from: Fraction; to: Fraction } | undefined {
  const [a, b] = text.includes(':') ? text.split(':') : ['0', text];
  const from = boundOf(a ?? '');
  const to = boundOf(b ?? '');
  if (from === undefined || to === undefined) return undefined;
  if (compare(from, { n: 0n, d: 1n }) < 0 || compare(to, { n: 1n, d: 1n }) > 0 || compare(from, to) >= 0)
    return undefined;
  return { from, to };
}

/**
 * What is wrong with how the runners' segments cover the run: every overlap and every gap, naming
 * the runners (by source); empty when they partition it exactly.
 */
export function coverageProblems(
  inputs: readonly { source: string; summary: { segment: string } }[],
): string[] {
  const spans = inputs
    .map((r) => ({
      source: r.source,
      text: r.summary.segment,
      ...(segmentOf(r.summary.segment) as { from: Fraction; to: Fraction }),
    }))
    .sort((a, b) => compare(a.from, b.from) || compare(a.to, b.to));
  const problems: string[] = [];
  let reach: Fraction = { n: 0n, d: 1n };
  let reachedBy: (typeof spans)[number] | undefined;
  for (const s of spans) {
    if (compare(s.from, reach) > 0) {
      problems.push(
        `no runner covers ${fractionText(reach)}:${fractionText(s.from)} of the run (between ${reachedBy === undefined ? 'its start' : `${reachedBy.source} (${reachedBy.text})`} and ${s.source} (${s.text})): a runner is missing`,
      );
    } else if (compare(s.from, reach) < 0 && reachedBy !== undefined) {
      const end = compare(s.to, reach) < 0 ? s.to : reach;
      problems.push(
        `${reachedBy.source} (${reachedBy.text}) and ${s.source} (${s.text}) overlap on ${fractionText(s.from)}:${fractionText(end)}: the same part of the run counted twice`,
      );
    }
    if (compare(s.to, reach) > 0) {
      reach = s.to;
      reachedBy = s;
    }
  }
  if (compare(reach, { n: 1n, d: 1n }) < 0) {
    problems.push(
      `no runner covers ${fractionText(reach)}:1 of the run (after ${reachedBy === undefined ? 'its start' : `${reachedBy.source} (${reachedBy.text})`}): a runner is missing`,
    );
  }
  return problems;
}
