/**
 * Page module for browser-parity.test.ts, run in Chromium by @ocelot/browser-test: builds a
 * detector from a model card with @ocelot/detectors' main entry (onnxruntime-web through
 * @ocelot/runtime's browser entry), detects on raw RGB pixels fetched from the test server and
 * returns the detections as JSON. Failures come back as data (name, code, fields).
 */
import {
  buildDetector,
  createDetectorRegistry,
  type DetectOptions,
  OnnxDetector,
  parseModelCard,
  registerBuiltins,
} from '@ocelot/detectors';

export interface DetectPageInput {
  /** The card's JSON. */
  readonly card: unknown;
  /** URL of the folder holding the card's files. */
  readonly base: string;
  readonly wasmPaths: string;
  /** URL of `width·height·3` raw RGB bytes. */
  readonly pixels?: string;
  readonly width?: number;
  readonly height?: number;
  readonly options?: DetectOptions;
}

export default async function detect(input: DetectPageInput) {
  try {
    const card = parseModelCard(input.card, 'card');
    const detector = await buildDetector(registerBuiltins(createDetectorRegistry()), card, {
      base: input.base,
      session: { wasmPaths: input.wasmPaths, executionProviders: ['wasm'], threads: 1 },
    });
    const provider = detector instanceof OnnxDetector ? detector.session.executionProvider : '';
    if (input.pixels === undefined) return { ok: true, provider };
    const data = new Uint8Array(await (await fetch(input.pixels)).arrayBuffer());
    const d = await detector.detect(
      { data, width: input.width!, height: input.height! },
      input.options,
    );
    await detector.dispose();
    return {
      ok: true,
      provider,
      boxes: Array.from(d.boxes),
      scores: Array.from(d.scores),
      labels: Array.from(d.labels),
      labelNames: d.labelNames,
    };
  } catch (error) {
    const e = error as Error & Record<string, unknown>;
    const fields: Record<string, unknown> = {};
    for (const key of ['model', 'operator', 'domain', 'provider', 'code']) {
      if (key in e) fields[key] = e[key];
    }
    return { ok: false, name: e.name, message: String(e.message), fields };
  }
}
