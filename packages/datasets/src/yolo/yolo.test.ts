import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DatasetParseError, DatasetValidationError } from '../errors.js';
import {
  parseYoloLabels,
  parseYoloNames,
  parseYoloNamesYaml,
  stringifyYoloLabels,
  stringifyYoloNames,
  type YoloLabel,
} from './yolo.js';

const realworld = fileURLToPath(new URL('../../../../../shared/realworld/', import.meta.url));
const coco128 = `${realworld}coco128/`;

describe('parseYoloLabels', () => {
  it('reads box and polygon lines, skipping blank lines and CRLF', () => {
    const text = '0 0.5 0.5 0.2 0.4\r\n\n17 0.1 0.1 0.9 0.1 0.5 0.8\n';
    expect(parseYoloLabels(text)).toEqual([
      { kind: 'box', classId: 0, box: [0.5, 0.5, 0.2, 0.4] },
      { kind: 'polygon', classId: 17, polygon: [0.1, 0.1, 0.9, 0.1, 0.5, 0.8] },
    ] satisfies YoloLabel[]);
  });

  it.each([
    ['x 0.5 0.5 0.2 0.2', 'E_TYPE', 'class'],
    ['-1 0.5 0.5 0.2 0.2', 'E_TYPE', 'class'],
    ['1.5 0.5 0.5 0.2 0.2', 'E_TYPE', 'class'],
    ['0 0.5 0.5 0.2', 'E_MALFORMED_LABEL', 'polygon'],
    ['0 0.1 0.1 0.9 0.1 0.5', 'E_MALFORMED_LABEL', 'polygon'],
    ['0 0.5 0.5 nan 0.2', 'E_TYPE', 'w'],
    ['0 0.5 0.5 0.2 abc', 'E_TYPE', 'h'],
    ['0 320 240 64 48', 'E_NOT_NORMALISED', 'cx'],
    ['0 0.5 0.5 0 0.2', 'E_NON_POSITIVE_SIZE', 'w'],
    ['0 0.95 0.5 0.2 0.2', 'E_BOX_OUTSIDE_IMAGE', 'box'],
    ['0 0.1 0.1 0.9 0.1 0.5 1.2', 'E_NOT_NORMALISED', 'polygon[5]'],
  ])('rejects %j (%s on %s)', (line, code, field) => {
    try {
      parseYoloLabels(`0 0.5 0.5 0.1 0.1\n${line}\n`, { file: 'a.txt' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DatasetValidationError);
      expect(error).toMatchObject({ code, file: 'a.txt', record: 'line 2', field });
      expect((error as Error).message.startsWith(`a.txt: line 2: ${field}: `)).toBe(true);
    }
  });

  it('checks class ids against class names, and forces a format when asked', () => {
    expect(() => parseYoloLabels('3 0.5 0.5 0.1 0.1', { classNames: ['a', 'b'] })).toThrow(
      'line 1: class: class 3 is not in the class names',
    );
    expect(parseYoloLabels('3 0.5 0.5 0.1 0.1', { classNames: new Map([[3, 'd']]) })).toHaveLength(
      1,
    );
    expect(() => parseYoloLabels('0 0.5 0.5 0.1 0.1 0.2 0.2', { format: 'box' })).toThrow(
      /E?expected 'class cx cy w h'/,
    );
    expect(() => parseYoloLabels('0 0.5 0.5 0.1 0.1', { format: 'polygon' })).toThrow(
      /n >= 3 points/,
    );
  });

  it('collects every bad line in collect mode', () => {
    try {
      parseYoloLabels('a 1 1 1 1\n0 0.5 0.5 0.1 0.1\n0 2 0.5 0.1 0.1\n', { mode: 'collect' });
      expect.unreachable();
    } catch (error) {
      expect((error as DatasetValidationError).issues.map((i) => i.record)).toEqual([
        'line 1',
        'line 3',
      ]);
    }
  });
});

describe('stringifyYoloLabels', () => {
  it('writes %g-style numbers (6 significant digits) by default', () => {
    const labels: YoloLabel[] = [
      { kind: 'box', classId: 45, box: [0.4794921875, 0.68877083333, 0.955609375, 0.5955] },
      { kind: 'polygon', classId: 2, polygon: [0.1, 0.2, 0.30000001, 0.4, 0.5, 0.6] },
    ];
    expect(stringifyYoloLabels(labels)).toBe(
      '45 0.479492 0.688771 0.955609 0.5955\n2 0.1 0.2 0.3 0.4 0.5 0.6\n',
    );
    expect(stringifyYoloLabels([])).toBe('');
  });

  it('round-trips exactly with full precision', () => {
    const coordinate = fc.double({ min: 0, max: 1, noNaN: true });
    const label = fc.oneof(
      fc.record({
        kind: fc.constant('box' as const),
        classId: fc.nat(1000),
        box: fc.tuple(
          fc.double({ min: 0.25, max: 0.75, noNaN: true }),
          fc.double({ min: 0.25, max: 0.75, noNaN: true }),
          fc.double({ min: 0.01, max: 0.5, noNaN: true }),
          fc.double({ min: 0.01, max: 0.5, noNaN: true }),
        ),
      }),
      fc.record({
        kind: fc.constant('polygon' as const),
        classId: fc.nat(1000),
        polygon: fc
          .array(fc.tuple(coordinate, coordinate), { minLength: 3, maxLength: 12 })
          .map((pts) => pts.flat()),
      }),
    );
    fc.assert(
      fc.property(fc.array(label, { maxLength: 20 }), (labels) => {
        const text = stringifyYoloLabels(labels, { significantDigits: 'full' });
        expect(parseYoloLabels(text)).toEqual(
          labels.map((l) => ({
            ...l,
            ...(l.kind === 'polygon' ? { polygon: l.polygon.map((v) => v + 0) } : {}),
          })),
        );
      }),
      { numRuns: 200 },
    );
  });
});

describe('class names', () => {
  it('reads and writes names files', () => {
    expect(parseYoloNames('person\nbicycle\n\n')).toEqual(['person', 'bicycle']);
    expect(stringifyYoloNames(['person', 'bicycle'])).toBe('person\nbicycle\n');
    expect(() => parseYoloNames('a\n\nb\n', 'c.names')).toThrow(DatasetParseError);
    expect(() => parseYoloNames('a\n\nb\n', 'c.names')).toThrow(/^c\.names:2:1: blank line/);
  });

  it('reads names: from data YAML in map, block list and flow list forms', () => {
    expect(
      parseYoloNamesYaml('path: .\nnames:\n  0: person\n  2: "traffic light" # sparse\nnc: 2\n'),
    ).toEqual(
      new Map([
        [0, 'person'],
        [2, 'traffic light'],
      ]),
    );
    expect(parseYoloNamesYaml('names:\n  - cat\n  - dog\n')).toEqual(
      new Map([
        [0, 'cat'],
        [1, 'dog'],
      ]),
    );
    expect(parseYoloNamesYaml("names: ['cat', dog]\n")).toEqual(
      new Map([
        [0, 'cat'],
        [1, 'dog'],
      ]),
    );
    expect(() => parseYoloNamesYaml('nc: 3\n', 'd.yaml')).toThrow(
      /^d\.yaml:1:1: no top-level "names:" key/,
    );
    expect(() => parseYoloNamesYaml('names:\n  0: a\n  0: b\n', 'd.yaml')).toThrow(
      /^d\.yaml:3:1: class id 0 appears twice/,
    );
    expect(() => parseYoloNamesYaml('names:\n  zero: a\n', 'd.yaml')).toThrow(
      /^d\.yaml:2:1: expected/,
    );
  });
});

describe.skipIf(!existsSync(coco128))('real YOLO files (../shared/realworld/coco128)', () => {
  it('parses every box and polygon label file with its class names', () => {
    const detNames = parseYoloNamesYaml(
      readFileSync(`${coco128}coco128_yolo_object_detection_config.yaml`, 'utf8'),
    );
    const segNames = parseYoloNamesYaml(
      readFileSync(`${coco128}coco128_yolo_instance_segmentation_config.yaml`, 'utf8'),
    );
    const namesFile = parseYoloNames(
      readFileSync(`${realworld}labels/coco80_ultralytics.txt`, 'utf8'),
    );
    expect(detNames.size).toBe(80);
    expect([...detNames.values()]).toEqual(namesFile);
    expect(segNames.get(90)).toBe('toothbrush');
    let boxes = 0;
    let polygons = 0;
    for (const file of readdirSync(`${coco128}labels/train2017`)) {
      const path = `${coco128}labels/train2017/${file}`;
      const labels = parseYoloLabels(readFileSync(path, 'utf8'), {
        file: path,
        classNames: namesFile,
        format: 'box',
      });
      boxes += labels.length;
    }
    for (const file of readdirSync(`${coco128}labels-seg/train2017`)) {
      const path = `${coco128}labels-seg/train2017/${file}`;
      const labels = parseYoloLabels(readFileSync(path, 'utf8'), {
        file: path,
        classNames: segNames,
        format: 'polygon',
      });
      polygons += labels.length;
    }
    expect(boxes).toBe(72);
    expect(polygons).toBe(71);
  });
});
