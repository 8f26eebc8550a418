import { createRgbImage } from '@ocelot/image';
import { describe, expect, it } from 'vitest';
import { createOnnxDetector, OnnxDetector } from './detector.js';
import { ModelCardError } from './errors.js';
import { parseModelCard, resolveModelCard } from './model-card.js';
import { f32, fakeSession } from './test-utils/fake-session.js';

const card = resolveModelCard(
  parseModelCard({
    id: 'm',
    task: 'detect',
    architecture: { type: 'x' },
    files: { model: { path: 'm.onnx' } },
    input: { width: 32, height: 16, resize: 'letterbox' },
    labels: ['a', 'b'],
  }),
);
const decodeOne = () => ({
  boxes: new Float32Array([0, 0, 16, 8]),
  scores: new Float32Array([0.9]),
  labels: new Int32Array([1]),
});

describe('OnnxDetector', () => {
  it('feeds the letterboxed tensor, decodes, maps boxes back to the image', async () => {
    const session = fakeSession({ outputs: { out: f32([0], [1]) } });
    const detector = new OnnxDetector({ card, session, decode: decodeOne });
    const det = await detector.detect(createRgbImage(64, 64));
    const feed = session.calls[0]!.images!;
    expect(feed.dims).toEqual([1, 3, 16, 32]);
    // 64×64 letterboxed into 32×16: scale 0.25, 8 px padding left and right
    expect(Array.from(det.boxes)).toEqual([0, 0, 32, 32]);
    expect(det.labelNames).toEqual(['b']);
    await detector[Symbol.asyncDispose]();
    expect(session.disposed).toBe(true);
  });

  it('passes the resolved options to decode (call over card over architecture)', async () => {
    const session = fakeSession({ outputs: {} });
    let seen: unknown;
    const detector = new OnnxDetector({
      card: { ...card, defaults: { scoreThreshold: 0.4 } },
      session,
      defaults: { scoreThreshold: 0.1, maxDetections: 7 },
      decode: (_o, ctx) => {
        seen = ctx.options;
        return decodeOne();
      },
    });
    await detector.detect(createRgbImage(8, 8), { classes: ['a'] });
    expect(seen).toMatchObject({ scoreThreshold: 0.4, maxDetections: 7 });
    const det = await detector.detect(createRgbImage(8, 8), { classes: ['a'] });
    expect(det.scores.length).toBe(0); // the decode returned class b only
  });

  it('refuses a card naming an input the model does not have, and bad card defaults', () => {
    const session = fakeSession({ outputs: {} });
    expect(
      () =>
        new OnnxDetector({
          card: { ...card, input: { ...card.input, name: 'pixels' } },
          session,
          decode: decodeOne,
        }),
    ).toThrow(/m: input.name: the model has no input "pixels"; its inputs are images/);
    expect(
      () =>
        new OnnxDetector({
          card: { ...card, defaults: { iouThreshold: 2 } },
          session,
          decode: decodeOne,
        }),
    ).toThrow(ModelCardError);
    expect(
      () =>
        new OnnxDetector({
          card: { ...card, defaults: { iouThreshold: 2 } },
          session,
          decode: decodeOne,
        }),
    ).toThrow(/defaults.iouThreshold/);
  });

  it('writes each input into the last call’s buffer, but never while that call still runs', async () => {
    const feeds: { data: Float32Array; first: number }[] = [];
    const session = fakeSession({
      outputs: (f) => {
        const data = f.images!.data as Float32Array;
        // what the model sees when it runs (after any overlapping call has prepared its input)
        feeds.push({ data, first: data[8 * 32 + 16]! });
        return { out: f32([0], [1]) };
      },
    });
    const gates: (() => void)[] = [];
    const run = session.run.bind(session);
    session.run = async (f) => {
      await new Promise<void>((resolve) => gates.push(resolve));
      return run(f);
    };
    const detector = new OnnxDetector({ card, session, decode: decodeOne });
    const dark = createRgbImage(64, 64, [10, 10, 10]);
    const light = createRgbImage(64, 64, [200, 200, 200]);
    const a = detector.detect(dark);
    const b = detector.detect(light); // overlaps a: must not write a's buffer
    for (const open of gates.splice(0)) open();
    await Promise.all([a, b]);
    expect(feeds.map((f) => f.first)).toEqual([10 / 255, 200 / 255].map(Math.fround));
    expect(feeds[1]!.data).not.toBe(feeds[0]!.data);
    // sequential calls reuse a buffer, and the results do not depend on it
    const c = detector.detect(light);
    for (const open of gates.splice(0)) open();
    const d1 = await c;
    const d = detector.detect(dark);
    for (const open of gates.splice(0)) open();
    const d2 = await d;
    expect(feeds[3]!.data).toBe(feeds[2]!.data);
    expect(feeds.slice(2).map((f) => f.first)).toEqual([200 / 255, 10 / 255].map(Math.fround));
    expect(Array.from(d1.boxes)).toEqual(Array.from(d2.boxes));
  });

  it('createOnnxDetector disposes the session when building fails', async () => {
    const session = fakeSession({ outputs: {} });
    await expect(
      createOnnxDetector({ loadSession: async () => session }, () => {
        throw new ModelCardError('m', 'architecture.x', 'bad');
      }),
    ).rejects.toThrow(/architecture.x: bad/);
    expect(session.disposed).toBe(true);
  });
});
