// The Go tool builder (src/tools/go-tool.ts): where it looks, what a build leaves behind, how it
// reports progress and failure. A stand-in `go` script plays the build (a real one takes minutes);
// the failure path runs the real Go when it is installed.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnreachableError } from '../../src/errors.js';
import { K6_TOOL, k6CacheDir } from '../../src/load/k6.js';
import {
  buildGoTool,
  findGoTool,
  findOrBuildGoTool,
  type GoBuildProgress,
  goToolCachePath,
  progressOf,
  toolCacheRoot,
} from '../../src/tools/go-tool.js';

const tool = { name: 'demo', module: 'example.com/demo/cmd/demo', version: 'v0.1.0', envVar: 'DEMO_BINARY' };

function script(dir: string, name: string, body: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function sandbox(): { root: string; env: NodeJS.ProcessEnv } {
  const root = mkdtempSync(join(tmpdir(), 'go-tool-'));
  return { root, env: { XDG_CACHE_HOME: join(root, 'cache'), PATH: '/usr/bin:/bin' } };
}

describe('findGoTool looks in $envVar, then PATH, then the tool cache', () => {
  it('takes the first candidate that exists and is accepted', () => {
    const { root, env } = sandbox();
    const cached = goToolCachePath(tool, env);
    script(join(cached, '..'), 'demo', 'echo cache');
    expect(findGoTool(tool, env)).toBe(cached);
    const onPath = script(join(root, 'bin'), 'demo', 'echo path');
    const withPath = { ...env, PATH: `${join(root, 'bin')}:/usr/bin:/bin` };
    expect(findGoTool(tool, withPath)).toBe(onPath);
    const pinned = script(join(root, 'pinned'), 'demo-any-name', 'echo env');
    expect(findGoTool(tool, { ...withPath, DEMO_BINARY: pinned })).toBe(pinned);
    // A rejected candidate (say an old major version) is passed over, not returned.
    expect(findGoTool({ ...tool, accept: (p) => p === cached }, { ...withPath, DEMO_BINARY: pinned })).toBe(
      cached,
    );
    expect(findGoTool(tool, { ...env, XDG_CACHE_HOME: join(root, 'empty') })).toBeUndefined();
  });

  it('keeps k6 where earlier versions built it: <tool cache>/k6-v1.8.1/k6', () => {
    const env = { XDG_CACHE_HOME: '/x/cache' };
    expect(k6CacheDir(env)).toBe('/x/cache/directearn-tools/k6-v1.8.1');
    expect(goToolCachePath(K6_TOOL, env)).toBe('/x/cache/directearn-tools/k6-v1.8.1/k6');
  });
});

describe('buildGoTool', () => {
  it('reports phases and a line at least every interval, and leaves only the binary behind', async () => {
    const { root, env } = sandbox();
    const seen = join(root, 'go-env.txt');
    // Stand-in for `go install -v`: module downloads, then packages compiled, then the binary in $GOBIN.
    script(
      join(root, 'fakego'),
      'go',
      [
        'if [ "$1" = version ]; then echo "go version go1.0 fake"; exit 0; fi',
        `echo "$GOMODCACHE|$GOCACHE|$GOPATH|$GOFLAGS" > ${seen}`,
        'mkdir -p "$GOMODCACHE/x" && echo cached > "$GOMODCACHE/x/f"',
        'echo "go: downloading example.com/a v1.0.0" >&2; echo "go: downloading example.com/b v1.0.0" >&2',
        'sleep 0.4',
        'echo "example.com/a" >&2; echo "example.com/demo/cmd/demo" >&2',
        'sleep 0.4',
        'printf "#!/bin/sh\\necho demo\\n" > "$GOBIN/demo"; chmod +x "$GOBIN/demo"',
      ].join('\n'),
    );
    const progress: GoBuildProgress[] = [];
    const path = await findOrBuildGoTool({
      ...tool,
      env: { ...env, PATH: `${join(root, 'fakego')}:/usr/bin:/bin` },
      onProgress: (p) => progress.push(p),
      progressEveryMs: 100,
    });
    expect(path).toBe(goToolCachePath(tool, env));
    expect(spawnSync(path, { encoding: 'utf8' }).stdout).toBe('demo\n');
    const phases = [...new Set(progress.map((p) => p.phase))];
    expect(phases).toEqual(['starting', 'downloading', 'compiling', 'installed']);
    // The timer repeats the line through silent phases: some report repeats its predecessor's phase.
    expect(progress.some((p, i) => i > 0 && p.phase === progress[i - 1]?.phase)).toBe(true);
    expect(progress.at(-1)?.line).toMatch(/^building demo v0\.1\.0 with Go: installed, \d+ s$/);
    expect(progress.find((p) => p.phase === 'compiling')?.line).toMatch(/compiling \(1 packages\)/);
    // Go's caches were inside the tool cache, and are gone: only the tool's own folder is left.
    const [modcache, gocache, gopath, goflags] = readFileSync(seen, 'utf8').trim().split('|');
    for (const dir of [modcache, gocache, gopath]) expect(dir?.startsWith(toolCacheRoot(env))).toBe(true);
    expect(goflags).toContain('-modcacherw');
    expect(existsSync(modcache ?? '/')).toBe(false);
    expect(readdirSync(toolCacheRoot(env))).toEqual(['demo-v0.1.0']);
  });

  it('names the tool and says to install Go when Go is missing (exit 3)', async () => {
    const { env } = sandbox();
    const build = buildGoTool({ ...tool, env: { ...env, PATH: '/nonexistent' } });
    await expect(build).rejects.toThrow(UnreachableError);
    await expect(buildGoTool({ ...tool, env: { ...env, PATH: '/nonexistent' } })).rejects.toThrow(
      /^demo v0\.1\.0 is not installed and Go is not on PATH to build it: install Go .*or set DEMO_BINARY/,
    );
  });

  const go = spawnSync('go', ['version']).status === 0;
  it.skipIf(!go)('names the tool and Go’s reason when the real go install fails, and cleans up', async () => {
    const { env } = sandbox();
    // GOPROXY=off: the module cannot be fetched, so Go fails at once without network.
    const build = buildGoTool({
      ...tool,
      env: { ...process.env, ...env, PATH: process.env.PATH, GOPROXY: 'off' },
    });
    await expect(build).rejects.toThrow(UnreachableError);
    await expect(
      buildGoTool({ ...tool, env: { ...process.env, ...env, PATH: process.env.PATH, GOPROXY: 'off' } }),
    ).rejects.toThrow(
      /^could not build demo v0\.1\.0 \(go install example\.com\/demo\/cmd\/demo@v0\.1\.0 exited 1\): .*GOPROXY=off/,
    );
    expect(readdirSync(toolCacheRoot(env))).toEqual(['demo-v0.1.0']);
  });
});

describe('progressOf', () => {
  it('counts downloads and compiled packages, ignoring other lines', () => {
    let s = { phase: 'starting' as GoBuildProgress['phase'], downloaded: 0, compiled: 0 };
    for (const line of ['go: downloading go.k6.io/k6 v1.8.1', 'go: finding module', 'github.com/x/y/v2', ''])
      s = progressOf(s, line);
    expect(s).toEqual({ phase: 'compiling', downloaded: 1, compiled: 1 });
  });
});
