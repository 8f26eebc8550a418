/**
 * The node/browser split: package.json `exports` send `node` to the onnxruntime-node entry and
 * `browser`/`default` to the onnxruntime-web entry (also under `@ocelot/source`), a browser
 * bundle contains no onnxruntime-node and no Node built-in, and both entries export the same
 * names.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { type Rollup, build, defaultClientConditions } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as viaPackageName from '@ocelot/runtime';
import * as browserEntry from './index.browser.js';
import * as nodeEntry from './index.node.js';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>;
};

/** Node's exports resolution for one subpath: first key (in order) that is an active condition. */
function resolveExport(target: unknown, conditions: ReadonlySet<string>): string | undefined {
  if (typeof target === 'string') return target;
  if (target === null || typeof target !== 'object') return undefined;
  for (const [key, value] of Object.entries(target)) {
    if (key === 'default' || conditions.has(key)) {
      const hit = resolveExport(value, conditions);
      if (hit !== undefined) return hit;
    }
  }
  return undefined;
}

describe('package.json exports', () => {
  const root = pkg.exports['.'];
  const cases: [string[], string][] = [
    [['node', 'import'], './dist/index.node.js'],
    [['node', 'require'], './dist/index.node.js'],
    [['browser', 'import'], './dist/index.browser.js'],
    [['import'], './dist/index.browser.js'], // e.g. a bundler without platform conditions
    [['types', 'node', 'import'], './dist/index.node.d.ts'],
    [['types', 'browser', 'import'], './dist/index.browser.d.ts'],
    [['@ocelot/source', 'node', 'import'], './src/index.node.ts'],
    [['@ocelot/source', 'browser', 'import'], './src/index.browser.ts'],
    [['@ocelot/source', 'import'], './src/index.browser.ts'],
    [['@ocelot/source', 'types', 'node', 'import'], './src/index.node.ts'],
  ];
  it.each(cases)('conditions %j resolve to %s', (conditions, expected) => {
    expect(resolveExport(root, new Set(conditions))).toBe(expected);
  });

  it('points @ocelot/source at files that exist', () => {
    expect(existsSync(join(packageDir, 'src/index.node.ts'))).toBe(true);
    expect(existsSync(join(packageDir, 'src/index.browser.ts'))).toBe(true);
  });

  it('TypeScript resolves the node entry under NodeNext and the browser entry under bundler', () => {
    const host = ts.createCompilerHost({});
    const from = join(packageDir, 'src', 'some-consumer.ts');
    const resolveWith = (options: ts.CompilerOptions) =>
      ts.resolveModuleName(
        '@ocelot/runtime',
        from,
        options,
        host,
        undefined,
        undefined,
        ts.ModuleKind.ESNext,
      ).resolvedModule?.resolvedFileName;
    const nodeNext = resolveWith({
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      customConditions: ['@ocelot/source'],
    });
    const bundler = resolveWith({
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      customConditions: ['@ocelot/source'],
    });
    expect(nodeNext).toBe(join(packageDir, 'src/index.node.ts'));
    expect(bundler).toBe(join(packageDir, 'src/index.browser.ts'));
  });

  it('vitest (node conditions) imports the onnxruntime-node entry by package name', () => {
    expect(viaPackageName.runtimeBackend).toBe('onnxruntime-node');
  });

  it('both entries export the same names', () => {
    expect(Object.keys(browserEntry).sort()).toEqual(Object.keys(nodeEntry).sort());
    expect(browserEntry.runtimeBackend).toBe('onnxruntime-web');
    expect(browserEntry.defaultExecutionProviders).toEqual(['webgpu', 'webnn', 'wasm']);
  });
});

describe('bundles', () => {
  let work: string;
  beforeAll(() => {
    // A consumer project whose node_modules links to this package, so the import goes through
    // package.json exports exactly as in an app.
    work = mkdtempSync(join(tmpdir(), 'ocelot-bundle-'));
    mkdirSync(join(work, 'node_modules', '@ocelot'), { recursive: true });
    symlinkSync(packageDir, join(work, 'node_modules', '@ocelot', 'runtime'), 'dir');
    writeFileSync(
      join(work, 'entry.js'),
      "import { createSession, runtimeBackend } from '@ocelot/runtime';\nexport { createSession, runtimeBackend };\n",
    );
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  async function bundle(
    conditions: string[],
    external: (string | RegExp)[],
  ): Promise<Rollup.OutputChunk> {
    const result = await build({
      configFile: false,
      envFile: false,
      root: work,
      logLevel: 'silent',
      resolve: { conditions },
      build: {
        write: false,
        minify: false,
        target: 'es2022',
        modulePreload: false,
        copyPublicDir: false,
        reportCompressedSize: false,
        rollupOptions: {
          input: { entry: join(work, 'entry.js') },
          external,
          preserveEntrySignatures: 'strict',
          output: { format: 'es' },
        },
      },
    });
    const outputs = (Array.isArray(result) ? result : [result]) as Rollup.RollupOutput[];
    const chunk = outputs
      .flatMap((o) => o.output)
      .find((o): o is Rollup.OutputChunk => o.type === 'chunk' && o.isEntry);
    if (!chunk) throw new Error('no entry chunk');
    return chunk;
  }

  it('a browser bundle holds onnxruntime-web and the browser entry, and no onnxruntime-node or Node built-in', async () => {
    // Nothing external: every module the browser entry reaches must be bundleable for the web.
    const chunk = await bundle(['@ocelot/source', ...defaultClientConditions], []);
    const modules = Object.keys(chunk.modules);
    expect(modules.some((id) => id.endsWith('/src/index.browser.ts'))).toBe(true);
    expect(modules.some((id) => id.includes('/onnxruntime-web/dist/'))).toBe(true);
    expect(
      modules.filter((id) => /onnxruntime-node|index\.node\.ts|\/src\/node\//.test(id)),
    ).toEqual([]);
    // Vite swaps Node built-ins for "__vite-browser-external" stubs in browser builds.
    expect(
      modules.filter((id) => id.includes('browser-external') || id.startsWith('node:')),
    ).toEqual([]);
    expect(chunk.imports).toEqual([]);
    expect(chunk.code).not.toMatch(/onnxruntime[-_]node|onnxruntime_binding/);
    expect(chunk.exports.sort()).toEqual(['createSession', 'runtimeBackend']);
  });

  it('the same check catches onnxruntime-node when the node conditions are used (control)', async () => {
    const chunk = await bundle(
      ['@ocelot/source', 'node', 'import', 'module', 'default'],
      [/^onnxruntime-node/, /^node:/],
    );
    expect(chunk.imports).toContain('onnxruntime-node');
    expect(Object.keys(chunk.modules).some((id) => id.endsWith('/src/index.node.ts'))).toBe(true);
  });
});
