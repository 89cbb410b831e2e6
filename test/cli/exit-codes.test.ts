// The exit-code table of README ("Exit codes"), command by command: CI reads only these, so each
// row is pinned here in-process, with the one plain line that goes with it.
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { ExitCode } from '../../src/errors.js';
import { captureIO } from '../support/cli-io.js';

let busy: Server;
let busyPort = 0;
/** A loopback port nothing listens on: connections to it are refused at once. */
let closedPort = 0;

beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((done) => busy.listen(0, '127.0.0.1', done));
  busyPort = (busy.address() as { port: number }).port;
  const gone = createServer();
  await new Promise<void>((done) => gone.listen(0, '127.0.0.1', done));
  closedPort = (gone.address() as { port: number }).port;
  await new Promise<void>((done) => gone.close(() => done()));
});
afterAll(() => new Promise<void>((done) => busy.close(() => done())));

async function run(...argv: string[]) {
  const io = captureIO();
  const code = await main(argv, io);
  return { code, err: io.stderr.join('\n') };
}

describe('the exit codes every command shares', () => {
  it('are four distinct numbers: ok 0, failed 1, usage 2, unreachable 3', () => {
    expect(ExitCode).toEqual({ ok: 0, failed: 1, usage: 2, unreachable: 3 });
  });

  it('serve cannot listen on a port in use: 3, naming the port', async () => {
    const r = await run('serve', '--port', String(busyPort));
    expect(r.code).toBe(ExitCode.unreachable);
    expect(r.err).toMatch(new RegExp(`port ${busyPort} on 127\\.0\\.0\\.1 is in use`));
    expect(r.err.split('\n')).toHaveLength(1);
  });

  it('verify and check against a refused target: 3 with the URL and the cause in one line', async () => {
    for (const command of [
      ['verify', '--basic', 'u:p'],
      ['check', '--skip-load'],
    ]) {
      const r = await run(...command, '--target', `http://127.0.0.1:${closedPort}`);
      expect(r.code, command[0]).toBe(ExitCode.unreachable);
      expect(r.err).toContain(`http://127.0.0.1:${closedPort}`);
      expect(r.err).toContain('refused');
    }
  });

  it('a bad flag is 2 for every command, naming the flag', async () => {
    for (const command of ['check', 'serve', 'verify', 'load', 'plan', 'docs', 'diff', 'proxy', 'validate']) {
      const r = await run(command, '--no-such-flag');
      expect(r.code, command).toBe(ExitCode.usage);
      expect(r.err, command).toContain('--no-such-flag');
    }
  });
});
