import { describe, expect, it } from 'vitest';
import {
  defaultModel,
  type Manifest,
  type ManifestModel,
  resolveDefaults,
  taskGroup,
} from './manifest.js';

const model = (id: string, task: ManifestModel['task'], fixture = false): ManifestModel => ({
  id,
  name: id,
  task,
  cardUrl: `models/${id}/model.json`,
  bytes: 1,
  fixture,
  source: `models/${id}/model.json`,
});

const manifest = (models: ManifestModel[], defaults: Manifest['defaults'] = {}): Manifest => ({
  models,
  defaults,
  samples: [],
  skipped: [],
});

describe('taskGroup', () => {
  it('puts semantic and instance segmentation together', () => {
    expect(taskGroup('detect')).toBe('detect');
    expect(taskGroup('segment')).toBe('segment');
    expect(taskGroup('instance-segment')).toBe('segment');
  });
});

describe('defaultModel', () => {
  const models = [
    model('tiny-ssd', 'detect', true),
    model('yolo', 'detect'),
    model('other', 'detect'),
    model('fcn', 'segment'),
    model('yolo-seg', 'instance-segment'),
  ];

  it("takes defaults.json's choice when it is served", () => {
    expect(defaultModel(manifest(models, { detect: 'other' }), 'detect')?.id).toBe('other');
    expect(defaultModel(manifest(models, { segment: 'yolo-seg' }), 'segment')?.id).toBe('yolo-seg');
  });

  it('falls back to the first trained model, then to a fixture', () => {
    expect(defaultModel(manifest(models, { detect: 'not-there' }), 'detect')?.id).toBe('yolo');
    expect(defaultModel(manifest([model('tiny-ssd', 'detect', true)]), 'detect')?.id).toBe(
      'tiny-ssd',
    );
    expect(defaultModel(manifest([model('fcn', 'segment')]), 'detect')).toBeUndefined();
  });

  it('ignores a choice of the other group', () => {
    expect(defaultModel(manifest(models, { detect: 'fcn' }), 'detect')?.id).toBe('yolo');
  });
});

describe('resolveDefaults', () => {
  it('resolves both groups, dropping unknown wishes', () => {
    const models = [model('ssd', 'detect', true), model('fcn', 'segment')];
    expect(resolveDefaults(models, { detect: 'ocelot-shapes-yolo', segment: undefined })).toEqual({
      detect: 'ssd',
      segment: 'fcn',
    });
    expect(resolveDefaults([], {})).toEqual({});
  });
});
