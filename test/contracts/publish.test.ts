// npm run pact:publish: says what is missing without a broker, and publishes with the pact-broker
// CLI (git SHA as version, branch) to a broker, here a loopback stand-in that records the calls.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitInfo, planPublish, publishPacts } from '../../src/contracts/publish.js';

const clean: GitInfo = { sha: 'abc123', branch: 'main', dirtyPacts: [] };

describe('planPublish', () => {
  it('lists everything missing at once', () => {
    const p = planPublish({}, { sha: undefined, branch: 'HEAD', dirtyPacts: [] });
    expect(p.ok).toBe(false);
    const text = p.ok ? '' : p.problems.join('\n');
    expect(text).toMatch(/PACT_BROKER_BASE_URL is not set/);
    expect(text).toMatch(/PACT_BROKER_TOKEN is not set/);
    expect(text).toMatch(/no git commit/);
    expect(text).toMatch(/detached HEAD/);
  });

  it('refuses uncommitted pacts, whose version would not describe them', () => {
    const p = planPublish(
      { PACT_BROKER_BASE_URL: 'http://127.0.0.1:1', PACT_BROKER_TOKEN: 't' },
      { ...clean, dirtyPacts: ['contracts/pacts/x.json'] },
    );
    expect(p.ok).toBe(false);
    expect(p.ok ? '' : p.problems[0]).toMatch(/uncommitted changes/);
  });

  it('publishes the pact folder with the SHA and branch, keeping the token off the command line', () => {
    const p = planPublish({ PACT_BROKER_BASE_URL: 'https://b.example', PACT_BROKER_TOKEN: 'sekret' }, clean);
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.args).toEqual(expect.arrayContaining(['--consumer-app-version', 'abc123', '--branch', 'main']));
    expect(p.args.join(' ')).not.toContain('sekret');
  });
});

describe('publishPacts against a broker', () => {
  let server: Server;
  let base = '';
  const calls: { method: string; url: string; auth: string | undefined; body: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        calls.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, body });
        res.setHeader('content-type', 'application/hal+json');
        if (req.method === 'GET' && req.url === '/') {
          res.end(
            JSON.stringify({ _links: { 'pb:publish-contracts': { href: `${base}/contracts/publish` } } }),
          );
        } else if (req.method === 'POST' && req.url === '/contracts/publish') {
          res.end(JSON.stringify({ notices: [{ type: 'success', text: 'published' }], _links: {} }));
        } else {
          res.statusCode = 404;
          res.end('{}');
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends every pact with the version and branch, authenticated with the token', async () => {
    const lines: string[] = [];
    const code = await publishPacts(
      {
        PATH: process.env.PATH,
        PACT_BROKER_BASE_URL: base,
        PACT_BROKER_TOKEN: 'test-token',
        GIT_COMMIT: '0123456789abcdef',
        GIT_BRANCH: 'feature/contracts',
      },
      (l) => lines.push(l),
    );
    expect(lines.join('\n')).toMatch(/version 0123456789abcdef on branch feature\/contracts/);
    expect(code).toBe(0);
    const publish = calls.find((c) => c.method === 'POST');
    expect(publish?.auth).toBe('Bearer test-token');
    const body = JSON.parse(publish?.body ?? '{}');
    expect(body.pacticipantVersionNumber).toBe('0123456789abcdef');
    expect(body.branch).toBe('feature/contracts');
    expect(body.contracts).toHaveLength(1);
    expect(body.contracts[0].providerName).toBe('loyalty-directearn');
  });

  it('without a broker URL prints what is missing and fails', async () => {
    const lines: string[] = [];
    expect(await publishPacts({ GIT_COMMIT: 'x', GIT_BRANCH: 'main' }, (l) => lines.push(l))).toBe(1);
    expect(lines.join('\n')).toMatch(/PACT_BROKER_BASE_URL is not set/);
  });
});
