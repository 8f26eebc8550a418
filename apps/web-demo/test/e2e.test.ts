/**
 * End to end: builds the app with `vite build`, serves the build with `vite preview` (the
 * app's own COOP/COEP set-up) on loopback, drives Debian's Chromium through playwright-core
 * (offline: every request leaving the server's origin is blocked) and checks that
 *
 * - the page is cross-origin isolated and everything it loads comes from the build
 *   (onnxruntime-web's wasm from ort/, the model from models/);
 * - the default detector's detections on a sample scene, run by clicking through the UI in
 *   the inference worker on onnxruntime-web (wasm), equal the Node pipeline's
 *   (onnxruntime-node, native CPU) for the same image and card: same labels, boxes within
 *   0.5 px, scores within 1e-3;
 * - the canvas shows the boxes (pixels on a box edge differ from the image, pixels away from
 *   every box are the image's own), the score slider and the class toggles re-filter without
 *   re-running, a bad file gives a message naming it;
 * - the default segmenter's label map equals the Node pipeline's.
 *
 * Why those tolerances: the two runs share every line of TypeScript (pre-processing, decode,
 * NMS, mapping back) and the same decoded pixels (checked by a hash), so they differ only in
 * the network's float arithmetic — onnxruntime-web's wasm SIMD kernels against
 * onnxruntime-node's native MLAS kernels (AVX2/FMA), which sum convolutions in different
 * orders. That moves outputs by float32 rounding (~1e-6 relative); a box coordinate of a few
 * hundred pixels then moves by well under 0.01 px, a score by ~1e-6. 0.5 px and 1e-3 leave
 * two orders of magnitude of headroom while still catching any real pipeline difference
 * (a wrong resize, channel order or Transform moves boxes by pixels; a different model or
 * threshold changes the list). A detection whose score lies within 1e-3 of the run's score
 * threshold may legitimately exist on one side only; any other unmatched detection fails.
 *
 * The screenshots go to test-results/ (gitignored).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { browserUnavailableReason, CHROMIUM_ARGS, CHROMIUM_PATH } from '@ocelot/browser-test';
import { rleArea } from '@ocelot/core';
import {
  buildDetector,
  createDetectorRegistry,
  type Detections,
  parseModelCard,
  registerBuiltins as registerDetectors,
} from '@ocelot/detectors';
import { decodeImage, type RgbImage } from '@ocelot/image';
import {
  buildSegmenter,
  createSegmenterRegistry,
  registerBuiltins as registerSegmenters,
} from '@ocelot/segmenters';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { build, type PreviewServer, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CollectedModels, collectModels } from '../plugin/models.js';
import type { DemoHook, LastResult, PlainDetection } from '../src/app/hook.js';
import { fnv1a } from '../src/app/hook.js';
import { defaultModel } from '../src/shared/manifest.js';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const resultsDir = join(appDir, 'test-results');
const unavailable = browserUnavailableReason();

/** Box coordinates may differ by this many pixels between wasm and native onnxruntime. */
const BOX_TOLERANCE_PX = 0.5;
/** Scores may differ by this much. */
const SCORE_TOLERANCE = 1e-3;

type Hook = Omit<DemoHook, 'labelMap'>;

/** Node's detections as the page's plain list. */
function plain(d: Detections): PlainDetection[] {
  return Array.from(d.scores, (score, i) => ({
    label: d.labels[i]!,
    labelName: d.labelNames[i]!,
    score,
    box: [d.boxes[4 * i]!, d.boxes[4 * i + 1]!, d.boxes[4 * i + 2]!, d.boxes[4 * i + 3]!],
  }));
}

interface Match {
  /** Pairs (node index, page index). */
  readonly pairs: [number, number][];
  readonly unmatchedNode: PlainDetection[];
  readonly unmatchedPage: PlainDetection[];
  readonly maxBoxDiff: number;
  readonly maxScoreDiff: number;
}

/**
 * Pairs each Node detection with the closest unpaired page detection of the same label (by
 * largest coordinate difference), if that one is within the tolerances.
 */
function matchDetections(node: PlainDetection[], page: PlainDetection[]): Match {
  const used = new Set<number>();
  const pairs: [number, number][] = [];
  const unmatchedNode: PlainDetection[] = [];
  let maxBoxDiff = 0;
  let maxScoreDiff = 0;
  node.forEach((n, i) => {
    let best = -1;
    let bestDiff = Number.POSITIVE_INFINITY;
    page.forEach((p, j) => {
      if (used.has(j) || p.label !== n.label) return;
      const diff = Math.max(...n.box.map((v, k) => Math.abs(v - p.box[k]!)));
      if (diff < bestDiff) {
        bestDiff = diff;
        best = j;
      }
    });
    const p = page[best];
    if (p && bestDiff <= BOX_TOLERANCE_PX && Math.abs(p.score - n.score) <= SCORE_TOLERANCE) {
      used.add(best);
      pairs.push([i, best]);
      maxBoxDiff = Math.max(maxBoxDiff, bestDiff);
      maxScoreDiff = Math.max(maxScoreDiff, Math.abs(p.score - n.score));
    } else {
      unmatchedNode.push(n);
    }
  });
  const unmatchedPage = page.filter((_, j) => !used.has(j));
  return { pairs, unmatchedNode, unmatchedPage, maxBoxDiff, maxScoreDiff };
}

async function hookOf(page: Page): Promise<Hook> {
  return page.evaluate(() => {
    const { labelMap: _, ...rest } = (globalThis as unknown as { __ocelot: DemoHook }).__ocelot;
    return JSON.parse(JSON.stringify(rest)) as Hook;
  });
}

/**
 * Runs `action` and waits until the page has drawn one more run (or failed one).
 * @returns the drawn result
 */
async function afterRun(page: Page, action: () => Promise<unknown>): Promise<LastResult> {
  const before = await hookOf(page);
  await action();
  await page.waitForFunction(
    ([done, failed]) => {
      const h = (globalThis as unknown as { __ocelot: DemoHook }).__ocelot;
      return h.failedRuns > failed || (h.completedRuns > done && h.state === 'done');
    },
    [before.completedRuns, before.failedRuns] as const,
    { timeout: 60_000, polling: 50 },
  );
  const hook = await hookOf(page);
  if (hook.failedRuns > before.failedRuns) throw new Error(`the page reported: ${hook.error}`);
  return hook.last!;
}

/** RGBA of the canvas at the given pixels. */
async function canvasPixels(page: Page, points: [number, number][]): Promise<number[][]> {
  return page.evaluate((pts) => {
    const canvas = document.getElementById('canvas') as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    return pts.map(([x, y]) => {
      const o = 4 * (y * canvas.width + x);
      return [data[o]!, data[o + 1]!, data[o + 2]!, data[o + 3]!];
    });
  }, points);
}

function imagePixel(image: RgbImage, x: number, y: number): number[] {
  const o = 3 * (y * image.width + x);
  return [image.data[o]!, image.data[o + 1]!, image.data[o + 2]!];
}

describe.skipIf(unavailable !== undefined)(
  `web demo in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let work: string;
    let server: PreviewServer;
    let context: BrowserContext;
    let page: Page;
    let origin: string;
    let models: CollectedModels;
    let sample: { url: string; path: string; image: RgbImage };
    const blocked: string[] = [];
    const requests: string[] = [];
    const logs: string[] = [];

    /** The Node pipeline's segmenter for a served model: same card, native onnxruntime. */
    async function nodeSegmenter(id: string) {
      const origin_ = models.origins.get(id)!;
      const card = parseModelCard(origin_.card, origin_.cardPath);
      return buildSegmenter(registerSegmenters(createSegmenterRegistry()), card, {
        base: origin_.baseDir,
        session: { executionProviders: ['cpu'] },
      });
    }

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'ocelot-web-demo-'));
      const outDir = join(work, 'dist');
      const configFile = join(appDir, 'vite.config.ts');
      await build({
        root: appDir,
        configFile,
        logLevel: 'warn',
        build: { outDir, emptyOutDir: true, sourcemap: false },
      });
      server = await preview({
        root: appDir,
        configFile,
        logLevel: 'warn',
        build: { outDir },
        preview: { host: '127.0.0.1', port: 0, strictPort: true, open: false },
      });
      const url = server.resolvedUrls?.local[0];
      if (!url) throw new Error('vite preview did not report its URL');
      origin = new URL(url).origin;

      models = await collectModels();
      const first = models.manifest.samples[0];
      if (!first) throw new Error('no sample scene: models/defaults.json lists none that exist');
      const file = models.files.get(first.url);
      if (file?.kind !== 'file') throw new Error(`sample ${first.url} is not a file`);
      sample = { url: first.url, path: file.path, image: await decodeImage(file.path) };

      context = await chromium.launchPersistentContext(join(work, 'profile'), {
        executablePath: CHROMIUM_PATH,
        headless: true,
        // + a fake camera (a generated test pattern) for the webcam path; no network effect
        args: [
          ...CHROMIUM_ARGS,
          '--use-fake-device-for-media-stream',
          '--use-fake-ui-for-media-stream',
        ],
        viewport: { width: 1280, height: 900 },
        timeout: 60_000,
      });
      await context.route('**/*', (route) => {
        const u = route.request().url();
        if (u.startsWith(`${origin}/`) || u.startsWith('blob:') || u.startsWith('data:')) {
          requests.push(u.slice(origin.length));
          return route.continue();
        }
        blocked.push(u);
        return route.abort('blockedbyclient');
      });
      page = context.pages()[0] ?? (await context.newPage());
      page.on('console', (m) => logs.push(`[${m.type()}] ${m.text()}`));
      page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
      await page.goto(`${origin}/`);
      await page.waitForFunction(
        () => {
          const h = (globalThis as unknown as { __ocelot?: DemoHook }).__ocelot;
          return h?.ready === true || h?.state === 'error';
        },
        undefined,
        { timeout: 30_000 },
      );
      await mkdir(resultsDir, { recursive: true });
    }, 180_000);

    afterAll(async () => {
      await context?.close().catch(() => undefined);
      await server?.close().catch(() => undefined);
      if (work) await rm(work, { recursive: true, force: true });
    });

    it('starts cross-origin isolated with the models of the manifest', async () => {
      const hook = await hookOf(page);
      expect(hook.error, logs.join('\n')).toBeUndefined();
      expect(hook.crossOriginIsolated).toBe(true);
      expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
      const expected = defaultModel(models.manifest, 'detect');
      expect(expected, 'a detection model (or its fixture stand-in)').toBeDefined();
      expect(await page.inputValue('#model-select')).toBe(expected!.id);
      expect(await page.inputValue('#backend-select')).toBe('wasm');
      // Backends the browser cannot offer are disabled and say why (--disable-gpu: no WebGPU adapter).
      for (const b of hook.backends ?? []) {
        const disabled = await page
          .locator(`#backend-select option[value="${b.backend}"]`)
          .isDisabled();
        expect(disabled).toBe(!b.available);
        if (!b.available) expect(await page.textContent('#backend-info')).toContain(b.reason!);
      }
    });

    it("draws the default detector's detections, equal to the Node pipeline's", async () => {
      const model = defaultModel(models.manifest, 'detect')!;
      const origin_ = models.origins.get(model.id)!;
      await page.selectOption('#sample-select', { index: 0 });
      const last = await afterRun(page, () => page.click('#sample-button'));
      const hook = await hookOf(page);

      // Same pixels as Node's decode (PNG): differences below come from the network only.
      expect(hook.image).toMatchObject({
        width: sample.image.width,
        height: sample.image.height,
        fnv1a: fnv1a(sample.image.data),
      });
      expect(last.modelId).toBe(model.id);
      expect(last.kind).toBe('detect');
      expect(last.executionProvider).toBe('wasm');
      expect(last.worker.crossOriginIsolated).toBe(true);
      expect(last.worker.threads).toBeGreaterThanOrEqual(1);
      expect(last.timings.modelMs).toBeGreaterThan(0);
      expect(last.timings.totalMs).toBeGreaterThanOrEqual(
        last.timings.preMs + last.timings.modelMs,
      );

      const card = parseModelCard(origin_.card, origin_.cardPath);
      const detector = await buildDetector(registerDetectors(createDetectorRegistry()), card, {
        base: origin_.baseDir,
        session: { executionProviders: ['cpu'] },
      });
      let node: PlainDetection[];
      try {
        node = plain(await detector.detect(sample.image, last.options));
      } finally {
        await detector.dispose();
      }
      const m = matchDetections(node, last.detections);
      const threshold = last.options.scoreThreshold ?? 0;
      const borderline = (d: PlainDetection) => Math.abs(d.score - threshold) <= SCORE_TOLERANCE;
      expect(m.unmatchedNode.filter((d) => !borderline(d))).toEqual([]);
      expect(m.unmatchedPage.filter((d) => !borderline(d))).toEqual([]);
      expect(node.length).toBeGreaterThan(0);
      console.info(
        `${model.id} on ${sample.url}: ${node.length} detections in Node, ${last.detections.length} in Chromium, ${m.pairs.length} matched; max |Δbox| ${m.maxBoxDiff.toExponential(2)} px, max |Δscore| ${m.maxScoreDiff.toExponential(2)}; ${last.worker.threads} wasm threads; pre ${last.timings.preMs.toFixed(1)} / model ${last.timings.modelMs.toFixed(1)} / post ${last.timings.postMs.toFixed(1)} ms`,
      );

      // What is drawn is the list filtered by the slider (the card's default threshold).
      expect(last.visible).toEqual(last.detections.filter((d) => d.score >= last.minScore));
      expect(last.visible.length).toBeGreaterThan(0);

      // The canvas: pixels on the top edge of the top detection differ from the image ...
      const top = last.visible[0]!;
      const [x1, y1, x2] = top.box;
      const y = Math.min(sample.image.height - 1, Math.max(0, Math.round(y1)));
      const xs: number[] = [];
      for (let x = Math.ceil(x1) + 2; x <= Math.floor(x2) - 2; x++) xs.push(x);
      expect(xs.length).toBeGreaterThan(0);
      const edge = await canvasPixels(
        page,
        xs.map((x) => [x, y]),
      );
      const changed = edge.filter((px, k) => {
        const orig = imagePixel(sample.image, xs[k]!, y);
        return orig.some((v, c) => Math.abs(v - px[c]!) > 24);
      }).length;
      expect(changed / xs.length).toBeGreaterThan(0.8);
      // ... while pixels far from every drawn box and label are exactly the image's.
      const margin = 40;
      const far: [number, number][] = [];
      for (let yy = 0; yy < sample.image.height; yy += 7) {
        for (let xx = 0; xx < sample.image.width; xx += 7) {
          const near = last.visible.some(
            (d) =>
              xx > d.box[0] - margin &&
              xx < d.box[2] + margin &&
              yy > d.box[1] - margin &&
              yy < d.box[3] + margin,
          );
          if (!near) far.push([xx, yy]);
        }
      }
      const farPixels = await canvasPixels(page, far);
      const differing = farPixels.filter((px, k) => {
        const orig = imagePixel(sample.image, far[k]![0], far[k]![1]);
        return orig.some((v, c) => v !== px[c]);
      });
      expect(differing.length).toBe(0);

      await page.screenshot({ path: join(resultsDir, 'web-demo-detect.png'), fullPage: true });

      // Everything came from the preview server: no CDN, onnxruntime-web from ort/.
      expect(blocked).toEqual([]);
      expect(requests.some((p) => /\/ort\/ort-wasm-simd-threaded\.jsep\.wasm$/.test(p))).toBe(true);
      expect(requests.some((p) => p.endsWith(`/${model.cardUrl}`))).toBe(true);
    });

    it('re-filters with the score slider and the class toggles without re-running', async () => {
      const before = await hookOf(page);
      const last = before.last!;
      const scores = last.detections.map((d) => d.score).sort((a, b) => b - a);
      // a threshold between the best and the rest (or at the best when there is one)
      const cut = Number(
        (scores.length > 1 ? (scores[0]! + scores[1]!) / 2 : scores[0]!).toFixed(2),
      );
      await page
        .locator('#score-slider')
        .fill(String(Math.max(cut, Number(last.options.scoreThreshold ?? 0))));
      let after = (await hookOf(page)).last!;
      const slider = Number(await page.inputValue('#score-slider'));
      expect(after.minScore).toBe(slider);
      expect(after.visible).toEqual(after.detections.filter((d) => d.score >= slider));
      expect(await page.textContent('#score-value')).toBe(slider.toFixed(2));

      const label = last.detections[0]!.label;
      await page.locator('#score-slider').fill(String(last.options.scoreThreshold ?? 0));
      await page.check(`#class-list input[data-label="${label}"]`);
      await page.uncheck(`#class-list input[data-label="${label}"]`);
      after = (await hookOf(page)).last!;
      expect(after.hidden).toEqual([label]);
      expect(after.visible.some((d) => d.label === label)).toBe(false);
      expect(after.visible).toEqual(
        after.detections.filter((d) => d.label !== label && d.score >= after.minScore),
      );
      await page.click('#classes-all');
      after = (await hookOf(page)).last!;
      expect(after.hidden).toEqual([]);

      const hook = await hookOf(page);
      expect(hook.completedRuns).toBe(before.completedRuns);
    });

    it('names the problem when a file is not an image', async () => {
      await page.setInputFiles('#file-input', {
        name: 'notes.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('this is not an image'),
      });
      await page.waitForFunction(
        () => (globalThis as unknown as { __ocelot: DemoHook }).__ocelot.error !== undefined,
      );
      const error = await page.textContent('#error');
      expect(error).toContain('notes.txt');
      expect(error).toContain('not a recognised image format');
      // class names survive minification (esbuild keepNames), so typed errors keep their names
      expect(error).toContain('UnsupportedImageFormatError');
      expect(await page.locator('#error').isVisible()).toBe(true);
    });

    it("draws the default segmenter's label map, equal to the Node pipeline's", async (ctx) => {
      const model = defaultModel(models.manifest, 'segment');
      if (model?.task !== 'segment') {
        ctx.skip();
        return;
      }
      await afterRun(page, () => page.click('#sample-button'));
      const last = await afterRun(page, () => page.selectOption('#model-select', model.id));
      expect(last.modelId).toBe(model.id);
      expect(last.kind).toBe('semantic');

      const segmenter = await nodeSegmenter(model.id);
      try {
        if (segmenter.kind !== 'semantic') throw new Error(`${model.id} is not semantic in Node`);
        const node = await segmenter.segment(sample.image);
        const pageMap = await page.evaluate(() =>
          (globalThis as unknown as { __ocelot: DemoHook }).__ocelot.labelMap(),
        );
        expect(pageMap).toHaveLength(node.labelMap.length);
        let differ = 0;
        for (let i = 0; i < node.labelMap.length; i++) {
          if (node.labelMap[i] !== pageMap![i]) differ++;
        }
        console.info(
          `${model.id}: ${differ} of ${node.labelMap.length} label-map pixels differ between Chromium (wasm) and Node (native); classes ${last.classesPresent?.join(',')}`,
        );
        // An argmax can flip only where two logits tie to float rounding.
        expect(differ / node.labelMap.length).toBeLessThanOrEqual(1e-3);
        expect(last.classesPresent).toEqual(Array.from(node.classesPresent));
      } finally {
        await segmenter.dispose();
      }
      // Background is hidden by default; every other class present is drawn.
      const background = last.classNames.flatMap((n, i) =>
        /^_*background_*$/i.test(n) ? [i] : [],
      );
      expect(last.hidden).toEqual(background);
      await page.screenshot({ path: join(resultsDir, 'web-demo-segment.png'), fullPage: true });
      expect(blocked).toEqual([]);
    });

    it("draws an instance segmenter's masks, equal to the Node pipeline's", async (ctx) => {
      const model =
        models.manifest.models.find(
          (m) => m.task === 'instance-segment' && m.id === models.manifest.defaults.segment,
        ) ?? models.manifest.models.find((m) => m.task === 'instance-segment');
      if (!model) {
        ctx.skip();
        return;
      }
      const last = await afterRun(page, () => page.selectOption('#model-select', model.id));
      expect(last.modelId).toBe(model.id);
      expect(last.kind).toBe('detect');

      const segmenter = await nodeSegmenter(model.id);
      let node: PlainDetection[];
      try {
        if (segmenter.kind !== 'instance') throw new Error(`${model.id} is not instance in Node`);
        const r = await segmenter.segment(sample.image, { ...last.options, maskFormat: 'rle' });
        node = plain(r).map((d, i) => ({ ...d, maskArea: rleArea(r.masks[i]!) }));
      } finally {
        await segmenter.dispose();
      }
      const m = matchDetections(node, last.detections);
      const threshold = last.options.scoreThreshold ?? 0;
      const borderline = (d: PlainDetection) => Math.abs(d.score - threshold) <= SCORE_TOLERANCE;
      expect(m.unmatchedNode.filter((d) => !borderline(d))).toEqual([]);
      expect(m.unmatchedPage.filter((d) => !borderline(d))).toEqual([]);
      // Masks: the same pixels up to those whose probability sits at the 0.5 cut to float
      // rounding; allow 0.5 % of a mask's area (at least 2 pixels).
      let maxAreaDiff = 0;
      for (const [i, j] of m.pairs) {
        const a = node[i]!.maskArea!;
        const b = last.detections[j]!.maskArea!;
        expect(Math.abs(a - b)).toBeLessThanOrEqual(Math.max(2, 0.005 * a));
        maxAreaDiff = Math.max(maxAreaDiff, Math.abs(a - b));
      }
      console.info(
        `${model.id}: ${node.length} instances in Node, ${last.detections.length} in Chromium, max |Δbox| ${m.maxBoxDiff.toExponential(2)} px, max |Δmask area| ${maxAreaDiff} px`,
      );
      await page.screenshot({ path: join(resultsDir, 'web-demo-instance.png'), fullPage: true });
      expect(blocked).toEqual([]);
    });

    it('runs on webcam frames until stopped', async () => {
      const detector = defaultModel(models.manifest, 'detect')!;
      await page.selectOption('#model-select', detector.id);
      const before = await hookOf(page);
      await page.click('#webcam-button');
      await page.waitForFunction(
        (n) => (globalThis as unknown as { __ocelot: DemoHook }).__ocelot.completedRuns >= n,
        before.completedRuns + 3,
        { timeout: 60_000 },
      );
      expect(await page.getAttribute('#webcam-button', 'aria-pressed')).toBe('true');
      await page.click('#webcam-button');
      expect(await page.getAttribute('#webcam-button', 'aria-pressed')).toBe('false');
      expect(await page.textContent('#webcam-status')).toBe('Webcam stopped.');
      const hook = await hookOf(page);
      expect(hook.image?.name).toBe('webcam frame');
      expect(hook.last?.modelId).toBe(detector.id);
      expect(hook.failedRuns).toBe(before.failedRuns);
      // Stopped: no more runs start (one may still finish).
      const after = hook.completedRuns;
      await page.waitForTimeout(500);
      expect((await hookOf(page)).completedRuns).toBeLessThanOrEqual(after + 1);
      expect(blocked).toEqual([]);
    });
  },
);
