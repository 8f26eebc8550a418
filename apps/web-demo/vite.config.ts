import { defaultClientConditions, defineConfig } from 'vite';
import { ocelotDemo } from './plugin/index.js';

export default defineConfig({
  // Relative asset URLs: the built app works from any folder of a static server.
  base: './',
  resolve: {
    // '@ocelot/source': bundle the workspace packages from their TypeScript sources (no
    // package build needed). 'onnxruntime-web-use-extern-wasm': onnxruntime-web's build that
    // loads its wasm glue and binary from `wasmPaths` (our local ort/ folder) instead of
    // inlining the glue and emitting a second 28 MB copy of the binary as a Vite asset.
    conditions: ['@ocelot/source', 'onnxruntime-web-use-extern-wasm', ...defaultClientConditions],
  },
  // Ocelot's errors take their `name` from their class (`new.target.name`); keep class names
  // through minification so the page can say "ChecksumMismatchError", not "Me".
  esbuild: { keepNames: true },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    sourcemap: true,
    // onnxruntime-web's minified module is ~370 kB on its own.
    chunkSizeWarningLimit: 1200,
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  plugins: [ocelotDemo()],
});
