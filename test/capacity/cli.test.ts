// `directearn capacity`'s flags: every bad one is one line naming it, exit 2, before any traffic or
// k6 (issue 19); a real host needs --allow-real-issue and a customer budget.
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIO } from '../support/cli-io.js';

describe('directearn capacity flags', () => {
  it.each([
    [['--target', 'https://crm.example.com'], /is not loopback.*--allow-real-issue/],
    [
      ['--target', 'https://crm.example.com', '--allow-real-issue'],
      /--allow-real-issue needs --budget-customers/,
    ],
    [['--step-duration', '1.5s'], /--step-duration must be whole seconds/],
    [['--step-duration', '500ms'], /--step-duration must be whole seconds/],
    [['--cool-down', 'soon'], /--cool-down must be seconds or a duration/],
    [['--resolution', '0%'], /--resolution must be a percentage/],
    [['--resolution', '5'], /--resolution must be a percentage/],
    [['--batch-sizes', '10,x'], /--batch-sizes must be whole numbers/],
    [['--start-rate', '500', '--max-rate', '100'], /--start-rate 500 is above --max-rate 100/],
    [['--max-vus', '0'], /--max-vus must be between 1/],
    [['--budget-customers=-5'], /--budget-customers must be between 1/],
    [['--slo', 'p95<3'], /--slo names "p95"/],
    [['--basic', 'a:b', '--token', 't'], /give one of --basic, --token or --oauth-key/],
    [['--oauth-key', 'k'], /--oauth-key needs --oauth-secret/],
    [['--customers-csv', 'no-such.csv'], /--customers-csv no-such.csv does not exist/],
    [['--customers-csv', '/dev/null'], /--customers-csv \/dev\/null is not a regular file/],
  ])('%j: one line naming it, exit 2', async (args, message) => {
    const io = captureIO({ env: {} });
    expect(await main(['capacity', ...args], io)).toBe(2);
    expect(io.stderr).toHaveLength(1);
    expect(io.stderr[0]).toMatch(message);
  });

  it('--help tells the exit codes', async () => {
    const io = captureIO();
    expect(await main(['capacity', '--help'], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(
      /Exit code: 0 a capacity was found for every batch size, 1 .*2 bad flags, 3 the target/s,
    );
  });
});
