/**
 * Which execution providers this browser can offer, each with the reason when it cannot.
 * The checks mirror @ocelot/runtime's own (a WebGPU adapter, `navigator.ml`), so a backend the
 * page enables is one the runtime will try; the runtime still reports what it actually used.
 */
import type { Backend } from '../shared/protocol.js';

export interface BackendStatus {
  readonly backend: Backend;
  readonly available: boolean;
  /** Why it is unavailable (shown next to the disabled option). */
  readonly reason?: string;
}

interface NavigatorWithAccelerators {
  readonly gpu?: { requestAdapter(): Promise<unknown> };
  readonly ml?: unknown;
}

function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

async function webgpuStatus(nav: NavigatorWithAccelerators): Promise<BackendStatus> {
  if (!nav.gpu) {
    return {
      backend: 'webgpu',
      available: false,
      reason: 'navigator.gpu is missing (WebGPU is not supported or is disabled)',
    };
  }
  try {
    const adapter = await withTimeout(nav.gpu.requestAdapter(), 3000, 'timeout' as const);
    if (adapter === 'timeout') {
      return {
        backend: 'webgpu',
        available: false,
        reason: 'no WebGPU adapter answered within 3 s',
      };
    }
    if (!adapter) {
      return {
        backend: 'webgpu',
        available: false,
        reason: 'no WebGPU adapter (GPU blocked, disabled or absent)',
      };
    }
    return { backend: 'webgpu', available: true };
  } catch (error) {
    return {
      backend: 'webgpu',
      available: false,
      reason: `requesting a WebGPU adapter failed: ${(error as Error).message}`,
    };
  }
}

/** The status of wasm, WebGPU and WebNN here, in that order. */
export async function detectBackends(
  nav: NavigatorWithAccelerators = navigator as unknown as NavigatorWithAccelerators,
): Promise<BackendStatus[]> {
  const wasm: BackendStatus =
    typeof WebAssembly === 'object'
      ? { backend: 'wasm', available: true }
      : { backend: 'wasm', available: false, reason: 'WebAssembly is not available' };
  const webnn: BackendStatus = nav.ml
    ? { backend: 'webnn', available: true }
    : {
        backend: 'webnn',
        available: false,
        reason: 'navigator.ml is missing (WebNN is not enabled in this browser)',
      };
  return [wasm, await webgpuStatus(nav), webnn];
}
