/**
 * @ocelot/datasets — COCO JSON, PASCAL VOC XML and YOLO txt: parse, validate, write, convert.
 * This entry needs no file system (it runs in browsers too); `@ocelot/datasets/node` adds
 * file reading and writing.
 */
export {
  DatasetFileError,
  DatasetParseError,
  DatasetValidationError,
  formatIssue,
} from './errors.js';
export type { ValidationIssue, ValidationModeOptions, ValidationReport } from './errors.js';
export { findJsonSyntaxError, parseJson } from './text.js';

export type {
  CocoAnnotation,
  CocoBbox,
  CocoCategory,
  CocoDataset,
  CocoDetection,
  CocoImage,
  CocoPolygons,
  CocoResults,
  CocoRle,
  CocoSegmentation,
  CocoUncompressedRle,
} from './coco/types.js';
export { validateCoco, validateCocoResults } from './coco/validate.js';
export type { CocoResultsValidationOptions, CocoValidationOptions } from './coco/validate.js';
export { parseCoco, parseCocoResults, stringifyCoco, stringifyCocoResults } from './coco/parse.js';
export type { ParseCocoOptions, ParseCocoResultsOptions, StringifyOptions } from './coco/parse.js';

export { parseVoc, stringifyVoc, validateVoc } from './voc/voc.js';
export type {
  ParseVocOptions,
  VocAnnotation,
  VocBndBox,
  VocCoordinateConvention,
  VocObject,
  VocSize,
  VocSource,
  VocValidationOptions,
} from './voc/voc.js';
export { parseXml } from './voc/xml.js';
export type { XmlElement } from './voc/xml.js';

export {
  parseYoloLabels,
  parseYoloNames,
  parseYoloNamesYaml,
  stringifyYoloLabels,
  stringifyYoloNames,
  yoloClassEntries,
  yoloClassName,
} from './yolo/yolo.js';
export type {
  ParseYoloLabelsOptions,
  StringifyYoloOptions,
  YoloBoxLabel,
  YoloClassNames,
  YoloLabel,
  YoloPolygonLabel,
} from './yolo/yolo.js';

export { cocoToVoc, vocToCoco } from './convert/coco-voc.js';
export type { CocoToVocOptions, VocToCocoOptions } from './convert/coco-voc.js';
export { cocoToYolo, vocToYolo, yoloToCoco, yoloToVoc } from './convert/coco-yolo.js';
export type {
  CocoToYoloOptions,
  CocoToYoloResult,
  YoloImageInput,
  YoloImageLabels,
  YoloToCocoOptions,
} from './convert/coco-yolo.js';

export { generateScene, resolveSceneOptions } from './synthetic/scene.js';
export type {
  ResolvedSceneOptions,
  SceneOptions,
  SizeMix,
  SyntheticObject,
  SyntheticScene,
} from './synthetic/scene.js';
export {
  generateDataset,
  scenesToCoco,
  syntheticCategories,
  syntheticFileName,
} from './synthetic/dataset.js';
export type {
  ScenesToCocoOptions,
  SyntheticDataset,
  SyntheticDatasetOptions,
} from './synthetic/dataset.js';
export { SHAPE_NAMES, isPolygonShape, rasterizeShape, shapePolygon } from './synthetic/shapes.js';
export type { ShapeGeometry, ShapeName, ShapeRaster } from './synthetic/shapes.js';
export { BACKGROUND_KINDS } from './synthetic/background.js';
export type { BackgroundKind } from './synthetic/background.js';
export { deriveSeed, SeededRandom } from './synthetic/random.js';
