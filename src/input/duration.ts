// Durations given by the user (--duration, --step-duration, --cool-down, ...): one grammar and one
// parser for every command, so a flag name means the same thing wherever it appears.
import { UsageError } from '../errors.js';
import { printable } from '../util/printable.js';

/** A duration settled from user input: its seconds, and the text k6 takes (a unit always written). */
export interface Duration {
  seconds: number;
  /** k6's form: the text as given when it had a unit ("500ms", "1m"), else "<N>s". */
  text: string;
}

/** The grammar, as every `--help` states it: whole or decimal seconds, or a number with ms, s, m or h. */
export const DURATION_GRAMMAR = 'seconds (e.g. 5) or a number with ms, s, m or h (e.g. 500ms, 5s, 1m)';

const SCALE = { ms: 0.001, s: 1, m: 60, h: 3600 } as const;

/** Seconds of a duration text ("5", "2.5", "500ms", "5s", "1m", "1h"), or undefined when it is not one. */
export function durationSeconds(raw: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
  if (m === null) return undefined;
  return Number(m[1]) * SCALE[(m[2] ?? 's') as keyof typeof SCALE];
}

/** A duration already in seconds (defaults and computed values), in the same form user input takes. */
export function durationOf(seconds: number): Duration {
  return { seconds, text: `${seconds}s` };
}

/**
 * Parses a duration flag; `source` names it in the error. Bounds: more than 0 (or 0 with
 * `allowZero`) and at most an hour; `wholeSeconds` refuses fractions of a second.
 */
export function parseDuration(
  raw: string,
  source: string,
  {
    allowZero = false,
    wholeSeconds = false,
    max = 3600,
  }: { allowZero?: boolean; wholeSeconds?: boolean; max?: number } = {},
): Duration {
  const seconds = durationSeconds(raw);
  const ok =
    seconds !== undefined &&
    (allowZero ? seconds >= 0 : seconds > 0) &&
    seconds <= max &&
    (!wholeSeconds || Number.isInteger(seconds));
  if (!ok || seconds === undefined) {
    const top = max % 3600 === 0 ? `${max / 3600}h` : `${max}s`;
    const range = `${allowZero ? '0' : wholeSeconds ? '1s' : '1ms'} to ${top}`;
    throw new UsageError(
      `${source} must be ${wholeSeconds ? 'whole ' : ''}seconds or a duration from ${range}, like 5, 500ms, 5s or 1m; got "${printable(raw)}"`,
    );
  }
  const trimmed = raw.trim();
  return { seconds, text: /\d$/.test(trimmed) ? `${trimmed}s` : trimmed };
}
