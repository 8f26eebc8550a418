import { it } from 'vitest';
import { createSession } from '@ocelot/runtime';
import { Rng, smoothLogits } from './test-utils/rng.js';
import { labelMapFromScores } from './semantic/labels.js';
import { torchTaps } from './semantic/resample.js';
it('perf', async () => {
  const rng = new Rng(1);
  const data = smoothLogits(rng, 21, 512, 512, 'nchw', 0.05);
  const noise = Float32Array.from({ length: data.length }, () => rng.normal());
  const xt = torchTaps(512, 2048),
    yt = torchTaps(512, 1024);
  const sess = await createSession(
    '/work/main/tooling/bench/graphs/resize_argmax_21x512x512_to_1024x2048.onnx',
    { executionProviders: ['cpu'], threads: 1 },
  );
  for (const [name, d] of [
    ['smooth', data],
    ['noise', noise],
  ] as const) {
    const s = { data: d, channels: 21, height: 512, width: 512, layout: 'nchw' as const };
    for (let k = 0; k < 4; k++) {
      let t = performance.now();
      const r = labelMapFromScores(s, xt, yt);
      const a = performance.now() - t;
      t = performance.now();
      const o = await sess.run({ logits: { type: 'float32', data: d, dims: [1, 21, 512, 512] } });
      const b = performance.now() - t;
      const lab = o.labels!.data as BigInt64Array;
      let diff = 0;
      for (let i = 0; i < lab.length; i++) if (Number(lab[i]) !== r.labelMap[i]) diff++;
      console.log(
        name,
        'ocelot',
        a.toFixed(1),
        'ort',
        b.toFixed(1),
        'ratio',
        (b / a).toFixed(2),
        'diff',
        diff,
      );
    }
  }
}, 300000);
