/** Browser page module for scene.browser.test.ts: sha256 of generated scenes, in Chromium. */
import { generateScene, type SceneOptions } from '../scene.js';

async function sha256Hex(parts: readonly Uint8Array[]): Promise<string> {
  const total = parts.reduce((s, p) => s + p.length, 0);
  const all = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

export default async function (input: {
  cases: { seed: number; options?: SceneOptions }[];
}): Promise<string[]> {
  const out: string[] = [];
  for (const { seed, options } of input.cases) {
    const scene = generateScene(seed, options);
    out.push(
      await sha256Hex([
        scene.image.data,
        scene.labelMap,
        new Uint8Array(scene.instanceMap.buffer),
        new TextEncoder().encode(JSON.stringify(scene.objects)),
      ]),
    );
  }
  return out;
}
