// Helpers of the provider verification files: the reference provider as a child process
// (`directearn serve`), and a pact folder copy with one expectation made wrong on purpose.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pactFiles, readPact } from '../../src/contracts/pacts.js';
import { packageRoot } from '../../src/util/package-root.js';

/** Starts `node bin/directearn.js serve --port 0 --admin` and waits for its "listening on URL" line. */
export async function serveReferenceProvider(extra: string[] = []): Promise<{ url: string; stop(): void }> {
  const main = join(packageRoot, 'dist', 'cli', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
  const child: ChildProcess = spawn(
    process.execPath,
    [join(packageRoot, 'bin', 'directearn.js'), 'serve', '--port', '0', '--admin', ...extra],
    { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`directearn serve did not start: ${err || out}`)),
      15_000,
    );
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`directearn serve exited with ${code}: ${err || out}`));
    });
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

/**
 * A copy of the pacts in a temp folder where the 8892 interaction expects another message: a
 * contract the provider does not honour, which verification must fail.
 */
export async function pactsWithWrongExpectation(): Promise<{ dir: string; description: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'directearn-wrong-pact-'));
  let description = '';
  for (const file of pactFiles()) {
    const pact = readPact(file).json;
    for (const i of pact.interactions) {
      const body = (i.response as { body?: { content?: { response?: { errors: { message: string }[] }[] } } })
        .body;
      const first = body?.content?.response?.[0]?.errors?.[0];
      if (description === '' && String(i.description).startsWith('answers 8892') && first !== undefined) {
        first.message = 'promotion is active';
        description = String(i.description);
      }
    }
    await writeFile(join(dir, file.split('/').pop() as string), JSON.stringify(pact));
  }
  if (description === '') throw new Error('no 8892 interaction in contracts/pacts to make wrong');
  return { dir, description };
}
