// Durations given by the user (--duration, --step-duration, --cool-down, --deadline, ...): one
// grammar and one parser for every command, so a flag name means the same thing wherever it appears.
import { UsageError } from '../errors.js';
import { printable } from '../util/printable.js';

/** A duration settled from user input: its seconds, and the text k6 takes (a unit always written). */
export interface Duration {
  seconds: number;
  /** k6's form: the text as given when it had units ("500ms", "1m", "1h30m"), else "<N>s". */
  text: string;
}

const SCALE = { ms: 0.001, s: 1, m: 60, h: 3600 } as const;

/**
 * Seconds of a duration text, or undefined when it is not one. The grammar, as every `--help`
 * states it: a number of seconds ("5", "2.5"), or numbers with ms, s, m or h, one after another as
 * k6 (and Go) write them ("500ms", "5s", "1m", "1h30m").
 */
export function durationSeconds(raw: string): number | undefined {
  const text = raw.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text)) return undefined;
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g))
    total += Number(n) * SCALE[unit as keyof typeof SCALE];
  return total;
}

/** A duration already in seconds (defaults and computed values), in the same form user input takes. */
export function durationOf(seconds: number): Duration {
  return { seconds, text: `${seconds}s` };
}

/** Bounds of one flag: above 0 (or 0 with allowZero), at most `max` seconds (default an hour; Infinity: none). */
export interface DurationBounds {
  allowZero?: boolean;
  wholeSeconds?: boolean;
  max?: number;
}

/** Parses a duration flag in the one grammar; `source` names it in the error. */
export function parseDuration(
  raw: string,
  source: string,
  { allowZero = false, wholeSeconds = false, max = 3600 }: DurationBounds = {},
): Duration {
  const seconds = durationSeconds(raw);
  if (
    seconds === undefined ||
    !(allowZero ? seconds >= 0 : seconds > 0) ||
    seconds > max ||
    (wholeSeconds && !Number.isInteger(seconds))
  ) {
    const top =
      max === Number.POSITIVE_INFINITY ? '' : max % 3600 === 0 ? ` to ${max / 3600}h` : ` to ${max}s`;
    const range = `${allowZero ? '0' : wholeSeconds ? '1s' : '1ms'}${top}`;
    throw new UsageError(
      `${source} must be ${wholeSeconds ? 'whole ' : ''}seconds or a duration from ${range}, like 5, 500ms, 5s, 1m or 1h30m; got "${printable(raw)}"`,
    );
  }
  const trimmed = raw.trim();
  return { seconds, text: /\d$/.test(trimmed) ? `${trimmed}s` : trimmed };
}
