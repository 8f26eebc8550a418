/** Harness self-test page: environment facts, echo, an offline check and the ORT import map. */
import * as ort from 'onnxruntime-web';

export default async function smoke(input: { values: number[] }) {
  const wasm = await fetch('/ort/ort-wasm-simd-threaded.jsep.wasm', { method: 'HEAD' });
  const fixture = await fetch('/fixtures/hello.txt').then((r) => r.text());
  let external = 'loaded';
  try {
    await fetch('https://cdn.jsdelivr.net/npm/onnxruntime-web/dist/ort.min.js');
  } catch {
    external = 'blocked';
  }
  return {
    sum: input.values.reduce((a, b) => a + b, 0),
    crossOriginIsolated: globalThis.crossOriginIsolated,
    sharedArrayBuffer: typeof SharedArrayBuffer === 'function',
    wasmStatus: wasm.status,
    wasmType: wasm.headers.get('content-type'),
    coep: wasm.headers.get('cross-origin-embedder-policy'),
    fixture,
    external,
    ortWeb: ort.env.versions.web,
  };
}
