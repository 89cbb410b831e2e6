// The `directearn` entry point: finds the command, runs it, and turns errors into one clear line.
import { ExitCode, UnreachableError, UsageError, UserFacingError } from '../errors.js';
import { printable, terminalSafe } from '../util/printable.js';
import type { CliIO, Command } from './command.js';

/** Commands load lazily so `directearn validate` does not pay for Pact or k6 modules. */
const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  check: {
    summary: 'run the whole check (spec, contracts, verification, k6 smoke) and print what passed',
    load: async () => (await import('./commands/check.js')).command,
  },
  serve: {
    summary: 'run the reference provider of the endpoint',
    load: async () => (await import('./commands/serve.js')).command,
  },
  verify: {
    summary: 'verify the pacts against a provider (the reference provider or --target URL)',
    load: async () => (await import('./commands/verify.js')).command,
  },
  load: {
    summary: 'measure throughput and rate behaviour with k6 and write reports',
    load: async () => (await import('./commands/load.js')).command,
  },
  merge: {
    summary: 'merge the runner summaries of a distributed load run into one summary and SLO verdict',
    load: async () => (await import('./commands/merge.js')).command,
  },
  capacity: {
    summary: 'find the most issued customers/s a host sustains under the SLOs, per batch size',
    load: async () => (await import('./commands/capacity.js')).command,
  },
  plan: {
    summary: 'plan a campaign (batch size, concurrency, duration) from a load run',
    load: async () => (await import('./commands/plan.js')).command,
  },
  docs: {
    summary: 'generate the HTML and Markdown reference of the endpoint from the spec',
    load: async () => (await import('./commands/docs.js')).command,
  },
  diff: {
    summary: 'compare two spec versions: what breaks consumers (oasdiff, catalogue, pacts)',
    load: async () => (await import('./commands/diff.js')).command,
  },
  proxy: {
    summary: 'forward traffic to an upstream and report every exchange that breaks the spec',
    load: async () => (await import('./commands/proxy.js')).command,
  },
  validate: {
    summary: 'validate a JSON payload file against the spec',
    load: async () => (await import('./commands/validate.js')).command,
  },
  'can-i-deploy': {
    summary: "ask the Pact Broker whether a version can be deployed (the Pact CLI's broker client)",
    load: async () => (await import('./commands/broker-passthrough.js')).canIDeploy,
  },
  'record-deployment': {
    summary: "record a deployment in the Pact Broker (the Pact CLI's broker client)",
    load: async () => (await import('./commands/broker-passthrough.js')).recordDeployment,
  },
};

/** The registered command names, in `--help` order. */
export function commandNames(): string[] {
  return Object.keys(commands);
}

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  return [
    'directearn: contract and load suite for POST /v2/promotion/bulk/directEarn',
    '',
    'Usage: directearn <command> [flags]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run directearn <command> --help for its flags. --debug shows a stack trace on errors.',
  ].join('\n');
}

/**
 * Colours only on a terminal, and never when NO_COLOR is set to a non-empty value
 * (https://no-color.org); TERM=dumb terminals get none either.
 */
export function colorEnabled(isTTY: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return isTTY === true;
}

export function defaultIO(): CliIO {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    color: colorEnabled(process.stdout.isTTY, process.env),
    env: process.env,
    cwd: process.cwd(),
  };
}

/**
 * The output hygiene rule at the last step before a terminal or a CI log: every line a command
 * prints passes terminalSafe (src/util/printable.ts), so no escape sequence, control character or
 * noncharacter a target or a file sent reaches it raw, whichever command forgot; only the suite's
 * own colour codes pass, and only when colours are on.
 */
export function safeIO(io: CliIO): CliIO {
  return {
    ...io,
    out: (line) => io.out(terminalSafe(line, io.color)),
    err: (line) => io.err(terminalSafe(line, io.color)),
  };
}

/** Runs the CLI with `argv` (without node and the script) and returns the exit code. */
export async function main(argv: string[], given: CliIO = defaultIO()): Promise<number> {
  const io = safeIO(given);
  const [name, ...rest] = argv;
  const debug = argv.includes('--debug');
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    io.out('directearn 0.1.0');
    return 0;
  }
  const entry = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (entry === undefined) {
    io.err(
      `directearn: unknown command "${printable(name)}". Commands: ${Object.keys(commands).join(', ')}.`,
    );
    return 2;
  }
  try {
    const command = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(command.help);
      return 0;
    }
    return await command.run(rest, io);
  } catch (e) {
    // Usage and unreachable errors are one line: a newline in them (from a file or a target's
    // answer) is escaped, so it cannot forge a line of its own.
    if (e instanceof UsageError) {
      // One line naming the flag or input and what is expected; `--help` has the rest.
      io.err(`directearn ${name}: ${printable(e.message, Number.POSITIVE_INFINITY)}`);
      return ExitCode.usage;
    }
    if (e instanceof UnreachableError) {
      io.err(`directearn ${name}: ${printable(e.message, Number.POSITIVE_INFINITY)}`);
      return ExitCode.unreachable;
    }
    const message = e instanceof Error ? e.message : String(e);
    io.err(`directearn ${name}: ${message}`);
    if (debug && e instanceof Error && e.stack) io.err(e.stack);
    else if (!(e instanceof UserFacingError)) io.err('(run with --debug for details)');
    return ExitCode.failed;
  }
}
