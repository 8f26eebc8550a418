/**
 * Node and browser give the same detections: each zoo detector's card, run on the same decoded
 * photo (raw RGB pixels, so JPEG decoders do not differ) in onnxruntime-web's wasm provider in
 * Chromium (@ocelot/browser-test) and in onnxruntime-node's CPU provider.
 *
 * Everything Ocelot does — resize, normalisation, decode, NMS, mapping back — is the same
 * TypeScript in both, so the only difference is the two builds' kernels: MLAS in onnxruntime-
 * node with AVX2/FMA, MLAS compiled to wasm-SIMD in the browser, which sum in other orders.
 * Tolerances: same labels in the same order, scores within 1e-4 and boxes within 1e-2 px of
 * the ORIGINAL image. Measured on the development machine (photo 74, onnxruntime 1.30): YOLOX
 * 6e-5 px / 7e-7, NanoDet 5e-5 px / 2e-7, UltraFace 3e-5 px / 3e-7, DEIMv2 — a transformer with
 * GridSample and 300 queries, boxes scaled by the input size — 2e-3 px / 1e-5: all well inside.
 *
 * The int8 graph of unsupported-op.test.ts needs no data: in the browser it must fail the same
 * typed way, naming the operator and the wasm provider.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BrowserHarness,
  browserUnavailableReason,
  launchBrowserHarness,
  ORT_WEB_PREFIX,
} from '@ocelot/browser-test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadPhoto,
  loadZooCard,
  MODELS_DIR,
  realworldUnavailable,
  ZOO,
  type ZooId,
  zooDetector,
} from './realworld.js';

const here = dirname(fileURLToPath(import.meta.url));
const browser = browserUnavailableReason();
const data = realworldUnavailable();

const BOX_TOLERANCE_PX = 1e-2;
const SCORE_TOLERANCE = 1e-4;
/** The photo both sides see: 640×426, a dog, a bicycle and people in the distance. */
const PHOTO = '000000000074.jpg';

interface PageDetections {
  ok: true;
  provider: string;
  boxes: number[];
  scores: number[];
  labels: number[];
  labelNames: string[];
}
interface PageError {
  ok: false;
  name: string;
  message: string;
  fields: Record<string, unknown>;
}

describe.skipIf(browser !== undefined)(
  `in Chromium (onnxruntime-web wasm)${browser ? ` (skipped: ${browser})` : ''}`,
  () => {
    let harness: BrowserHarness;
    const work = mkdtempSync(join(tmpdir(), 'ocelot-realworld-browser-'));
    beforeAll(async () => {
      harness = await launchBrowserHarness({
        modules: { detect: join(here, 'test-pages', 'detect.page.ts') },
        serve: {
          '/pixels/': work,
          '/fixtures/': join(here, '__fixtures__'),
          ...(data === undefined ? { '/models/': MODELS_DIR } : {}),
        },
      });
    }, 180_000);
    afterAll(async () => {
      await harness?.close();
      rmSync(work, { recursive: true, force: true });
    });

    it('an int8 graph with an operator wasm lacks: UnsupportedOperatorError naming it and the provider', async () => {
      const dir = join(here, '__fixtures__', 'int8-qlinearconv');
      const card = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
      const r = await harness.run<PageError>('detect', {
        card,
        base: '/fixtures/int8-qlinearconv/',
        wasmPaths: ORT_WEB_PREFIX,
      });
      expect(r.ok).toBe(false);
      expect(r.name).toBe('UnsupportedOperatorError');
      expect(r.fields).toMatchObject({
        code: 'E_UNSUPPORTED_OPERATOR',
        operator: 'QLinearConv',
        provider: 'wasm',
      });
      expect(r.message).toContain(`operator QLinearConv is not supported by onnxruntime's wasm`);
    });

    describe.skipIf(data !== undefined)(
      `the zoo detectors, Node vs browser${data ? ` (skipped: ${data})` : ''}`,
      () => {
        let width: number;
        let height: number;
        beforeAll(async () => {
          const photo = await loadPhoto(PHOTO);
          width = photo.width;
          height = photo.height;
          writeFileSync(join(work, 'photo.rgb'), photo.data);
        });

        it.each([ZOO.yolox, ZOO.nanodet, ZOO.deimv2, ZOO.ultraface] as ZooId[])(
          '%s: same labels in order, boxes within 1e-2 px, scores within 1e-4',
          async (id) => {
            const card = await loadZooCard(id);
            // a threshold low enough for a few dozen detections per model
            const options = { scoreThreshold: id === ZOO.ultraface ? 0.05 : 0.1 };
            const web = await harness.run<PageDetections | PageError>('detect', {
              card,
              base: '/models/',
              wasmPaths: ORT_WEB_PREFIX,
              pixels: '/pixels/photo.rgb',
              width,
              height,
              options,
            });
            if (!web.ok) throw new Error(`${web.name}: ${web.message}`);
            expect(web.provider).toBe('wasm');

            const detector = await zooDetector(id);
            const photo = await loadPhoto(PHOTO);
            const node = await detector.detect(photo, options);
            await detector.dispose();

            expect(node.scores.length).toBeGreaterThan(0);
            expect(web.labels).toEqual(Array.from(node.labels));
            expect(web.labelNames).toEqual(node.labelNames);
            let box = 0;
            let score = 0;
            for (let i = 0; i < web.boxes.length; i++)
              box = Math.max(box, Math.abs(web.boxes[i]! - node.boxes[i]!));
            for (let i = 0; i < web.scores.length; i++)
              score = Math.max(score, Math.abs(web.scores[i]! - node.scores[i]!));
            console.log(
              `${id}: ${node.scores.length} detections, max box diff ${box.toExponential(2)} px, max score diff ${score.toExponential(2)}`,
            );
            expect(box).toBeLessThanOrEqual(BOX_TOLERANCE_PX);
            expect(score).toBeLessThanOrEqual(SCORE_TOLERANCE);
          },
        );
      },
    );
  },
);
