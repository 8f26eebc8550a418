/**
 * The cards in models/zoo: valid, consistent with their architecture's config reader, labels
 * and category ids as the data sets define them, and — when the user-supplied files are here —
 * sha256 and size equal to the files. A wrong or missing file is reported through the normal
 * load path (ChecksumMismatchError / ModelLoadError), which is what a user pointing Ocelot at
 * the wrong folder sees.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseNanoDetConfig,
  parseRtDetrConfig,
  parseSsdConfig,
  parseYoloxConfig,
  resolveModelCard,
} from '@ocelot/detectors';
import { ChecksumMismatchError, ModelLoadError } from '@ocelot/runtime';
import { parseDeepLabV3Config } from '@ocelot/segmenters';
import { afterAll, describe, expect, it } from 'vitest';
import {
  loadZooCard,
  MODELS_DIR,
  REALWORLD_DIR,
  realworldUnavailable,
  ZOO,
  ZOO_DIR,
  type ZooId,
  zooDetector,
} from './realworld.js';

const ids = Object.values(ZOO);
const unavailable = realworldUnavailable();

describe('models/zoo cards', () => {
  it('the five real-world models have a card folder in models/zoo', () => {
    // models/zoo also holds cards for other well-known exports (tested with every card in models/).
    const folders = new Set(readdirSync(ZOO_DIR).filter((f) => !f.includes('.')));
    expect(ids.filter((id) => !folders.has(id))).toEqual([]);
  });

  it.each(ids)('%s parses, and its architecture config is accepted', async (id) => {
    const card = await loadZooCard(id);
    expect(card.id).toBe(id);
    const file = card.files.model!;
    expect(file.path).not.toMatch(/\//); // a bare file name: found next to the card or in a models folder
    expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(file.bytes).toBeGreaterThan(100_000);
    const parsers: Record<ZooId, (c: typeof card) => unknown> = {
      [ZOO.yolox]: parseYoloxConfig,
      [ZOO.nanodet]: parseNanoDetConfig,
      [ZOO.deimv2]: parseRtDetrConfig,
      [ZOO.ultraface]: parseSsdConfig,
      [ZOO.deeplab]: parseDeepLabV3Config,
    };
    expect(() => parsers[id](resolveModelCard(card))).not.toThrow();
  });

  it('COCO cards: the 80 Ultralytics-order names with distinct COCO category ids 1..90', async () => {
    for (const id of [ZOO.yolox, ZOO.nanodet, ZOO.deimv2]) {
      const card = await loadZooCard(id);
      expect(card.labels).toHaveLength(80);
      expect(card.labels![0]).toBe('person');
      expect(card.labels![79]).toBe('toothbrush');
      const ids80 = card.labelIds!;
      expect(new Set(ids80).size).toBe(80);
      expect(ids80.every((x, i) => x >= 1 && x <= 90 && (i === 0 || x > ids80[i - 1]!))).toBe(true);
      expect(ids80.slice(0, 12)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13]);
    }
    expect((await loadZooCard(ZOO.deeplab)).labels).toHaveLength(21);
  });

  it.skipIf(unavailable !== undefined)(
    'labels equal the data set files, labelIds the instances JSON, sha256 and bytes the model files',
    async () => {
      const lines = (f: string) =>
        readFileSync(join(REALWORLD_DIR, 'labels', f), 'utf8')
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l !== '');
      const gt = JSON.parse(
        readFileSync(
          join(REALWORLD_DIR, 'coco128', 'annotations', 'instances_train2017_subset16.json'),
          'utf8',
        ),
      ) as { categories: { id: number; name: string }[] };
      const byName = new Map(gt.categories.map((c) => [c.name, c.id]));
      for (const id of ids) {
        const card = await loadZooCard(id);
        if (card.labelIds !== undefined) {
          expect(card.labels).toEqual(lines('coco80_ultralytics.txt'));
          expect(card.labelIds).toEqual(card.labels!.map((n) => byName.get(n)));
        }
        const file = card.files.model!;
        const bytes = readFileSync(join(MODELS_DIR, file.path));
        expect(bytes.length).toBe(file.bytes);
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);
      }
      expect((await loadZooCard(ZOO.deeplab)).labels).toEqual(lines('voc21_class_names.txt'));
    },
  );
});

describe.skipIf(unavailable !== undefined)(
  `pointing a card at a models folder${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'ocelot-zoo-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('a folder without the file → ModelLoadError naming the path', async () => {
      const error = await zooDetector(ZOO.ultraface, { modelsDir: dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelLoadError);
      expect((error as ModelLoadError).code).toBe('E_MODEL_NOT_FOUND');
      expect((error as Error).message).toContain(join(dir, 'ultraface_rfb_320_ssd_face_raw.onnx'));
    });

    it('a different file under the card’s name → ChecksumMismatchError with both digests', async () => {
      const card = await loadZooCard(ZOO.ultraface);
      const other = await loadZooCard(ZOO.yolox);
      copyFileSync(join(MODELS_DIR, other.files.model!.path), join(dir, card.files.model!.path));
      const error = await zooDetector(ZOO.ultraface, { modelsDir: dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ChecksumMismatchError);
      expect((error as ChecksumMismatchError).expected).toBe(card.files.model!.sha256);
      expect((error as ChecksumMismatchError).actual).toBe(other.files.model!.sha256);
      expect(existsSync(join(dir, card.files.model!.path))).toBe(true);
    });
  },
);
