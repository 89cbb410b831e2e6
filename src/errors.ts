// The errors every layer may throw and the exit codes they become: one table, below the CLI, so
// libraries (load, contracts, provider) never import from src/cli.

/**
 * Exit codes of every `directearn` command, the same for all of them (README "Exit codes"):
 * CI reads only these.
 */
export const ExitCode = {
  /** What the command checks holds. */
  ok: 0,
  /** What the command checks does not hold (a failed interaction, a crossed SLO, a breaking change). */
  failed: 1,
  /** Bad flags, variables or arguments. */
  usage: 2,
  /** The target could not be reached, refused every credential, or a tool the command needs could not run. */
  unreachable: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Bad input from the user: printed as one line naming the flag or file, exit code 2, no stack. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure the user can act on (a file that does not parse, a failed check): exit 1, no stack. */
export class UserFacingError extends Error {
  override name = 'UserFacingError';
}

/**
 * The target cannot be reached (refused, DNS, TLS, timeout) or refuses every credential, or a tool
 * the command needs cannot run: exit 3, one line naming the URL or tool and the cause, no stack.
 */
export class UnreachableError extends Error {
  override name = 'UnreachableError';
}
