/**
 * @ocelot/cli — the `ocelot` command. `main(argv, io)` runs it in-process (tests, embedding);
 * `bin/ocelot.js` runs it as a program. New commands are `defineCommand` objects added to a
 * `CommandRegistry` (see `builtinCommands`).
 */
export {
  builtinCommands,
  cliVersion,
  commandHelp,
  GLOBAL_OPTIONS,
  groupHelp,
  main,
} from './main.js';
export { CommandRegistry, defineCommand, ExitCode, UsageError } from './command.js';
export type {
  Command,
  CommandContext,
  CommandGroup,
  OptionSpec,
  OptionSpecs,
  OptionValues,
  PositionalSpec,
} from './command.js';
export { colourEnabled, createProgress, stylesFor } from './io.js';
export type { CliIO, CliStream, Progress, Styles } from './io.js';
export { evalCocoCommand } from './commands/eval-coco.js';
export { detectCommand } from './commands/detect.js';
export { segmentCommand } from './commands/segment.js';
export { evalDetectCommand, mapCategories } from './commands/eval-detect.js';
export type { CategoryMapping } from './commands/eval-detect.js';
export {
  modelsImportCommand,
  modelsInfoCommand,
  modelsListCommand,
  modelsVerifyCommand,
} from './commands/models.js';
export { benchCommand } from './commands/bench.js';
export { demoCommand, sampleImages } from './commands/demo.js';
export {
  backgroundIndex,
  cardKind,
  categoryIds,
  ImageFailedError,
  openModel,
} from './inference/model.js';
export type {
  LoadedModel,
  ModelKind,
  OpenModelOptions,
  Prediction,
  PredictOptions,
  PredictTiming,
} from './inference/model.js';
export { annotate, cocoRecords, countsByClass, labelMapPng } from './inference/output.js';
export type { AnnotateOptions, CocoResultRecord } from './inference/output.js';
export {
  expandInputs,
  globFiles,
  IMAGE_EXTENSIONS,
  InputNotFoundError,
} from './inference/sources.js';
export type { ImageSource } from './inference/sources.js';
export { startRunner, workerCount } from './inference/runner.js';
export type { ImageRunner, ModelInfo, RunnerOptions, TaskOutcome } from './inference/runner.js';
export { prCurveSvg, prCurves } from './inference/pr-curves.js';
export type { CategoryCurves, PrCurve } from './inference/pr-curves.js';
export {
  filesPresent,
  isUserSupplied,
  ModelNotFoundError,
  ModelStore,
  userModelsDir,
} from './models/store.js';
export type { ModelDefaults, ModelEntry, ModelStoreOptions } from './models/store.js';
export {
  anchorPoints,
  IMPORT_ARCHITECTURES,
  inferModelCard,
  ModelImportError,
} from './models/import.js';
export type { ImportArchitecture, InferCardOptions, InferredCard } from './models/import.js';
