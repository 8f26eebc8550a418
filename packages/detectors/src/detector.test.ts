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
