import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoServer, type DemoServer } from './server.js';

const MODELS = fileURLToPath(
  new URL('../../../packages/cli/src/__fixtures__/models/', import.meta.url),
);

/** A PNG whose pixel (x, y) is color(x, y). */
async function png(width: number, height: number, color: (x: number, y: number) => number[]) {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) data.set(color(x, y), 3 * (y * width + x));
  return new Uint8Array(
    await sharp(data, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

/** A gate tests open to let held inferences go on. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, wait: () => opened };
}

let grey: Uint8Array;
let quad: Uint8Array;
beforeAll(async () => {
  grey = await png(128, 128, () => [90, 90, 90]);
  // left half red, top right blue, bottom right black (rgb-segmenter's input size: exact)
  quad = await png(32, 32, (x, y) => (x < 16 ? [220, 10, 10] : y < 16 ? [10, 10, 200] : [0, 0, 0]));
});

async function start(options: Parameters<typeof createDemoServer>[0] = {}) {
  const logs: string[] = [];
  const app = createDemoServer({
    modelsDir: MODELS,
    models: ['const-detector', 'rgb-segmenter'],
    env: {},
    log: (line) => logs.push(line),
    ...options,
  });
  const { url } = await app.listen(0, '127.0.0.1');
  await app.ready;
  return { app, url, logs };
}

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked field by field
type Json = any;
const body = (res: Response) => res.json() as Promise<Json>;

const postImage = (
  url: string,
  body: Uint8Array | string,
  type = 'image/png',
  init: RequestInit = {},
) => fetch(url, { method: 'POST', body, headers: { 'Content-Type': type }, ...init });

describe('node demo service', () => {
  let app: DemoServer;
  let url: string;
  beforeAll(async () => {
    ({ app, url } = await start({ maxBodyBytes: 64 * 1024 }));
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers /healthz and /readyz, and lists the models', async () => {
    expect(await body(await fetch(`${url}/healthz`))).toEqual({ status: 'ok' });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await body(ready)).toEqual({
      status: 'ready',
      models: ['const-detector', 'rgb-segmenter'],
    });
    const models = await body(await fetch(`${url}/models`));
    expect(models.models.map((m: { id: string; task: string }) => [m.id, m.task])).toEqual([
      ['const-detector', 'detect'],
      ['rgb-segmenter', 'segment'],
    ]);
  });

  it('POST /detect with a raw body returns detections in image pixels', async () => {
    const res = await postImage(`${url}/detect`, grey);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const json = await body(res);
    expect(json).toMatchObject({
      model: 'const-detector',
      task: 'detect',
      image: { width: 128, height: 128 },
      counts: { circle: 1, square: 1, triangle: 2 },
    });
    // 128×128 into the 64×64 input: scale 1/2, no padding — the fixture's boxes doubled
    expect(
      json.detections.map(
        (d: { box: number[]; score: number; class: string; categoryId: number }) => [
          d.box,
          d.score,
          d.class,
          d.categoryId,
        ],
      ),
    ).toEqual([
      [[16, 16, 48, 48], 0.9, 'circle', 10],
      [[60, 70, 100, 90], 0.7, 'square', 20],
      [[62, 70, 102, 90], 0.6, 'triangle', 30],
      [[88, 24, 104, 40], 0.3, 'triangle', 30],
    ]);
  });

  it('takes options from the query', async () => {
    const res = await postImage(`${url}/detect?score=0.65&classes=circle,square&agnostic=1`, grey);
    const json = await body(res);
    expect(json.detections.map((d: { class: string }) => d.class)).toEqual(['circle', 'square']);
    const bad = await postImage(`${url}/detect?score=2`, grey);
    expect(bad.status).toBe(400);
    expect(await body(bad)).toEqual({
      error: "query parameter score: expected a number in [0, 1], got '2'",
      status: 400,
    });
    const unknownClass = await postImage(`${url}/detect?classes=hexagon`, grey);
    expect(unknownClass.status).toBe(400);
    expect((await body(unknownClass)).error).toContain("unknown class 'hexagon'");
  });

  it('POST /segment with multipart/form-data returns class shares and RLE regions', async () => {
    const form = new FormData();
    form.append('note', 'hello');
    form.append('image', new Blob([quad], { type: 'image/png' }), 'quad.png');
    const res = await fetch(`${url}/segment`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    const json = await body(res);
    expect(json.model).toBe('rgb-segmenter');
    expect(json.classes).toEqual([
      { class: 'background', classIndex: 0, pixels: 256, fraction: 0.25 },
      { class: 'red', classIndex: 1, pixels: 512, fraction: 0.5 },
      { class: 'blue', classIndex: 3, pixels: 256, fraction: 0.25 },
    ]);
    expect(json.segments.map((s: { class: string; area: number }) => [s.class, s.area])).toEqual([
      ['red', 512],
      ['blue', 256],
    ]);
    expect(json.segments[0].mask.size).toEqual([32, 32]);
  });

  it('format=png returns the annotated image', async () => {
    const res = await postImage(`${url}/segment?format=png&alpha=1`, quad);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const { data, info } = await sharp(Buffer.from(await res.arrayBuffer()))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([32, 32]);
    expect([...data.subarray(0, 3)]).toEqual([128, 0, 0]); // VOC colour of class 1 at alpha 1
    expect([...data.subarray(3 * (31 * 32 + 31), 3 * (31 * 32 + 31) + 3)]).toEqual([0, 0, 0]); // background left clear
  });

  it.each([
    [
      'not an image',
      () => postImage(`${url}/detect`, 'hello, not a picture'),
      400,
      'request body is not a usable image: not a recognised image format',
    ],
    [
      'an empty body',
      () => postImage(`${url}/detect`, new Uint8Array(0)),
      400,
      'empty request body: send the image bytes',
    ],
    [
      'a wrong content type',
      () => postImage(`${url}/detect`, grey, 'application/x-www-form-urlencoded'),
      415,
      "unsupported Content-Type 'application/x-www-form-urlencoded'",
    ],
    [
      'no content type',
      () => fetch(`${url}/detect`, { method: 'POST', body: grey }),
      415,
      'unsupported Content-Type',
    ],
    [
      'a truncated PNG',
      () => postImage(`${url}/detect`, grey.subarray(0, 200)),
      400,
      'request body is not a usable image: ',
    ],
    [
      'an unknown model',
      () => postImage(`${url}/detect?model=yolo9000`, grey),
      404,
      "unknown model 'yolo9000'; loaded models: const-detector, rgb-segmenter",
    ],
    [
      'a detector on /segment',
      () => postImage(`${url}/segment?model=const-detector`, grey),
      400,
      "model 'const-detector' is a detector; POST to /detect",
    ],
    [
      'a bad format',
      () => postImage(`${url}/detect?format=gif`, grey),
      400,
      "query parameter format: expected json or png, got 'gif'",
    ],
    ['a GET on /detect', () => fetch(`${url}/detect`), 405, 'POST an image to /detect'],
    ['an unknown route', () => fetch(`${url}/nope`), 404, 'no route GET /nope'],
    [
      'a form without a file',
      () => {
        const form = new FormData();
        form.append('note', 'no image here');
        return fetch(`${url}/detect`, { method: 'POST', body: form });
      },
      400,
      'multipart body has no file part (send the image as the form field "image")',
    ],
    [
      'a form whose file is not an image',
      () => {
        const form = new FormData();
        form.append('image', new Blob(['plain text']), 'notes.txt');
        return fetch(`${url}/detect`, { method: 'POST', body: form });
      },
      400,
      "form field 'image' (notes.txt) is not a usable image: not a recognised image format",
    ],
    [
      'a multipart type without boundary',
      () => postImage(`${url}/detect`, grey, 'multipart/form-data'),
      400,
      'multipart/form-data without a boundary parameter',
    ],
  ])('rejects %s', async (_what, send, status, message) => {
    const res = await send();
    expect(res.status).toBe(status);
    const json = await body(res);
    expect(json.status).toBe(status);
    expect(json.error).toContain(message);
  });

  it('answers 413 to a body over the limit (declared or streamed)', async () => {
    const big = new Uint8Array(200 * 1024);
    const declared = await postImage(`${url}/detect`, big);
    expect(declared.status).toBe(413);
    expect(await body(declared)).toEqual({
      error: `request body of ${big.length} bytes is larger than ${64 * 1024} bytes`,
      status: 413,
    });
    // chunked upload without Content-Length
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new Uint8Array(16 * 1024));
        controller.close();
      },
    });
    const streamed = await fetch(`${url}/detect`, {
      method: 'POST',
      body: stream,
      headers: { 'Content-Type': 'image/png' },
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect((await body(streamed)).error).toBe(`request body larger than ${64 * 1024} bytes`);
    // the service still works afterwards
    expect((await postImage(`${url}/detect`, grey)).status).toBe(200);
  });
});

describe('instance segmentation', () => {
  it('POST /segment with an instance model returns boxes with RLE masks; /detect takes it too', async () => {
    const { app, url } = await start({ models: ['const-yoloseg'] });
    try {
      const res = await postImage(`${url}/segment`, grey);
      expect(res.status).toBe(200);
      const json = await body(res);
      expect(json.task).toBe('instance-segment');
      // 128×128 into the 64×64 input: the fixture's boxes doubled
      expect(
        json.detections.map((d: { box: number[]; class: string }) => [d.box, d.class]),
      ).toEqual([
        [[16, 16, 48, 48], 'circle'],
        [[48, 48, 112, 112], 'square'],
      ]);
      expect(json.detections[1].mask.size).toEqual([128, 128]);
      expect((await postImage(`${url}/detect`, grey)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('load and shutdown', () => {
  it('a burst beyond concurrency + queue: every request answered correctly or 503 with Retry-After', async () => {
    const held = gate();
    const { app, url } = await start({ concurrency: 1, queue: 2, beforeInference: held.wait });
    try {
      const requests = Array.from({ length: 12 }, () => postImage(`${url}/detect`, grey));
      // with inferences held, exactly 3 are admitted; the 9 others are refused at once
      const early = await Promise.all(
        requests.map((r) =>
          Promise.race([
            r,
            new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), 3000)),
          ]),
        ),
      );
      const refused = early.filter((r) => r !== 'pending') as Response[];
      expect(refused).toHaveLength(9);
      for (const res of refused) {
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('1');
        expect((await body(res)).error).toMatch(
          /^busy: 1 inference running and 2 waiting already; retry later$/,
        );
      }
      held.open();
      const all = await Promise.all(requests);
      const ok = all.filter((r) => r.status === 200);
      expect(ok).toHaveLength(3);
      for (const res of ok)
        expect((await body(res)).counts).toEqual({ circle: 1, square: 1, triangle: 2 });
      // free again
      expect((await postImage(`${url}/detect`, grey)).status).toBe(200);
    } finally {
      held.open();
      await app.close();
    }
  });

  it('a burst within the limits: all answered 200 with the right detections', async () => {
    const { app, url } = await start({ concurrency: 2, queue: 30 });
    try {
      const all = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          postImage(`${url}/${i % 2 ? 'segment' : 'detect'}`, i % 2 ? quad : grey),
        ),
      );
      for (const [i, res] of all.entries()) {
        expect(res.status).toBe(200);
        const json = await body(res);
        if (i % 2) expect(json.counts).toEqual({ background: 256, red: 512, blue: 256 });
        else expect(json.counts).toEqual({ circle: 1, square: 1, triangle: 2 });
      }
    } finally {
      await app.close();
    }
  });

  it('close() while requests are in flight: they finish, new ones are refused, sessions are disposed', async () => {
    const held = gate();
    const { app, url, logs } = await start({
      concurrency: 2,
      queue: 2,
      beforeInference: held.wait,
    });
    const inFlight = [postImage(`${url}/detect`, grey), postImage(`${url}/segment`, quad)];
    // wait until both are being handled
    for (let i = 0; i < 100 && app.inFlight < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(app.inFlight).toBe(2);
    const closing = app.close();
    expect(app.state).toBe('stopping');
    // new connections are refused
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    held.open();
    const [detected, segmented] = (await Promise.all(inFlight)) as [Response, Response];
    expect(detected.status).toBe(200);
    expect((await body(detected)).counts).toEqual({ circle: 1, square: 1, triangle: 2 });
    expect(segmented.status).toBe(200);
    await closing;
    expect(app.state).toBe('stopped');
    expect(logs).toContain('stopping: waiting for 2 requests in flight');
    expect(logs.at(-1)).toBe('stopped');
    // disposed sessions refuse to run
    await expect(
      app.models
        .get('const-detector')!
        .predict({ data: new Uint8Array(3 * 64 * 64), width: 64, height: 64 }),
    ).rejects.toThrow(/dispos/i);
  });

  it('readiness is 503 while models load, and a failed load is reported', async () => {
    const app = createDemoServer({
      modelsDir: MODELS,
      models: ['no-such-model'],
      env: {},
      log: () => {},
    });
    const { url } = await app.listen(0);
    await expect(app.ready).rejects.toThrow("unknown model 'no-such-model'");
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect((await body(ready)).status).toBe('failed');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const detect = await postImage(`${url}/detect`, grey);
    expect(detect.status).toBe(503);
    await app.close();
  });
});
