/**
 * Faster R-CNN composed from injectable parts, torchvision 0.14's `FasterRCNN` at test time:
 *
 *   image ─transform─▶ [1,3,H,W] ─backbone─▶ feature maps ─RPN head─▶ objectness, deltas
 *         ─anchors + rpnProposals─▶ proposals ─RoI Align─▶ [K,C,7,7] ─box head─▶ logits, deltas
 *         ─fastRcnnInference─▶ detections (input pixels) ─resizeBoxes─▶ detections (image pixels)
 *
 * The networks are behind small interfaces (`FeatureBackbone`, `RpnHeadRunner`,
 * `BoxHeadRunner`); everything between them is plain TypeScript with torchvision's numbers.
 * Proposals can come from anywhere (`run(image, { proposals })` skips the RPN), and every
 * intermediate result is returned with the time each stage took.
 */
import {
  AnchorGenerator,
  assertBoxes,
  type BoxCoderLike,
  FASTER_RCNN_FPN_ANCHORS,
  InvalidArgumentError,
  type TensorView,
} from '@ocelot/core';
import type { RgbImage } from '@ocelot/image';
import { ModelOutputError } from '../errors.js';
import { formatDims } from '../outputs.js';
import { assertFiniteOutput } from '../postprocess.js';
import type { Detections } from '../types.js';
import { RcnnBoxCoder } from '../two-stage/box-coder.js';
import { type RoIPooler, TorchvisionRoIPooler } from '../two-stage/pooler.js';
import type {
  BoxHeadRunner,
  FeatureBackbone,
  FeatureMaps,
  RpnHeadRunner,
} from '../two-stage/heads.js';
import { fastRcnnInference, type RoiDetections } from '../two-stage/roi-heads.js';
import { type Proposals, type RpnLevelOutput, rpnProposals } from '../two-stage/rpn.js';
import {
  type RCNNInput,
  type RCNNTransformOptions,
  rcnnTransform,
  resizeBoxes,
  resolveRCNNTransformOptions,
} from '../two-stage/transform.js';

/** The Region Proposal Network's parts and test-time settings (torchvision defaults). */
export interface FasterRCNNRpnOptions {
  readonly head: RpnHeadRunner;
  /** Default: sizes 32…512 on five levels, ratios 0.5, 1, 2 (torchvision's FPN anchors). */
  readonly anchorGenerator?: AnchorGenerator;
  /** Default `BoxCoder([1, 1, 1, 1])`. */
  readonly boxCoder?: BoxCoderLike;
  /** Levels fed to the head, finest first. Default: every backbone output. */
  readonly featureNames?: readonly string[];
  /** Default 1000 (torchvision's testing value). */
  readonly preNmsTopN?: number;
  /** Default 1000. */
  readonly postNmsTopN?: number;
  /** Default 0.7. */
  readonly nmsThresh?: number;
  /** Default 0.0. */
  readonly scoreThresh?: number;
  /** Default 1e-3. */
  readonly minSize?: number;
}

/** The box head's parts and test-time settings (torchvision defaults). */
export interface FasterRCNNRoiHeadsOptions {
  readonly boxHead: BoxHeadRunner;
  /** Default `TorchvisionRoIPooler({ outputSize: 7, samplingRatio: 2 })` (MultiScaleRoIAlign). */
  readonly boxRoiPool?: RoIPooler;
  /**
   * Levels pooled from. Default `['0', '1', '2', '3']`. As in torchvision, names the backbone
   * does not return are skipped (the MobileNetV3 FPN models pool from `0` and `1` only), and
   * the levels are taken in the backbone's order.
   */
  readonly featureNames?: readonly string[];
  /** Default `BoxCoder([10, 10, 5, 5])`. */
  readonly boxCoder?: BoxCoderLike;
  /** Default 0.05 (strictly greater passes). */
  readonly scoreThresh?: number;
  /** Default 0.5. */
  readonly nmsThresh?: number;
  /** Default 100. */
  readonly detectionsPerImg?: number;
}

export interface FasterRCNNOptions {
  /** Model name used in errors (`"<name>/backbone"` …). Default `faster-rcnn`. */
  readonly name?: string;
  /** Class names without the background, in the box head's column order 1…C. */
  readonly classNames: readonly string[];
  readonly backbone: FeatureBackbone;
  readonly rpn: FasterRCNNRpnOptions;
  readonly roiHeads: FasterRCNNRoiHeadsOptions;
  /** Default torchvision's: min 800, max 1333, divisible by 32, ImageNet mean/std. */
  readonly transform?: RCNNTransformOptions;
}

/** Per-call overrides of the box-head settings, and external proposals. */
export interface FasterRCNNRunOptions {
  /**
   * [P, 4] xyxy proposals from elsewhere (selective search, a cache, …): the RPN is skipped and
   * only the second stage runs on them.
   */
  readonly proposals?: Float32Array;
  /** Pixels of `proposals`: `image` (the image given, default) or `input` (the resized image). */
  readonly proposalSpace?: 'image' | 'input';
  readonly scoreThresh?: number;
  readonly nmsThresh?: number;
  readonly detectionsPerImg?: number;
  /** `allowed[c] === 1` when class c may be reported. */
  readonly allowed?: Uint8Array | undefined;
  readonly classAgnostic?: boolean;
}

/** Milliseconds spent in each stage of one `run`. */
export interface FasterRCNNTimings {
  /** normalise + resize + pad (TypeScript). */
  readonly transform: number;
  /** backbone graph. */
  readonly backbone: number;
  /** RPN head graph (0 with external proposals). */
  readonly rpnHead: number;
  /** anchors, top-n, decode, NMS (TypeScript; 0 with external proposals). */
  readonly proposals: number;
  /** multi-scale RoI Align (TypeScript). */
  readonly roiAlign: number;
  /** box head graph. */
  readonly boxHead: number;
  /** softmax, decode, NMS, rescale (TypeScript). */
  readonly postprocess: number;
  readonly total: number;
}

/** The proposals the second stage ran on, in network-input pixels. */
export interface ProposalSet {
  /** [P, 4] xyxy, input pixels. */
  readonly boxes: Float32Array;
  /** [P] objectness probabilities (RPN proposals only). */
  readonly scores?: Float32Array;
  /** [P] pyramid level of each RPN proposal. */
  readonly levels?: Int32Array;
  readonly source: 'rpn' | 'external';
}

/** Everything one `run` computed. */
export interface FasterRCNNResult {
  /** Final detections in the pixels of the image given. */
  readonly detections: Detections;
  /** The same detections in network-input pixels (what a mask head pools from). */
  readonly inputDetections: RoiDetections;
  /** The transformed input and its sizes. */
  readonly input: RCNNInput;
  /** The backbone's feature maps. */
  readonly features: FeatureMaps;
  readonly proposals: ProposalSet;
  readonly timings: FasterRCNNTimings;
}

const now = (): number => performance.now();

function checkPositiveInt(name: string, v: number): number {
  if (!(Number.isInteger(v) && v >= 1) && v !== Number.POSITIVE_INFINITY) {
    throw new InvalidArgumentError(name, `expected an integer >= 1, got ${v}`);
  }
  return v;
}

function checkUnit(name: string, v: number): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
    throw new InvalidArgumentError(name, `expected a number in [0, 1], got ${v}`);
  }
  return v;
}

function checkNumber(name: string, v: number): number {
  if (typeof v !== 'number' || Number.isNaN(v)) {
    throw new InvalidArgumentError(name, `expected a number, got ${v}`);
  }
  return v;
}

/**
 * torchvision's `FasterRCNN` (eval mode) for one image at a time, composed from parts.
 *
 * ```ts
 * const model = new FasterRCNN({
 *   classNames: ['cat', 'dog'],
 *   backbone: sessionBackbone(backboneSession, 'demo/backbone'),
 *   rpn: { head: sessionRpnHead(rpnSession, 'demo/rpnHead') },
 *   roiHeads: { boxHead: sessionBoxHead(boxSession, 'demo/boxHead') },
 *   transform: { minSize: 800, maxSize: 1333 },
 * });
 * const { detections, proposals, timings } = await model.run(image);
 * ```
 */
export class FasterRCNN {
  readonly name: string;
  readonly classNames: readonly string[];
  readonly backbone: FeatureBackbone;
  readonly transform: RCNNTransformOptions;
  readonly rpn: Required<Omit<FasterRCNNRpnOptions, 'featureNames'>> & {
    readonly featureNames: readonly string[];
  };
  readonly roiHeads: Required<FasterRCNNRoiHeadsOptions>;

  constructor(options: FasterRCNNOptions) {
    if (options === null || typeof options !== 'object') {
      throw new InvalidArgumentError('options', 'expected { classNames, backbone, rpn, roiHeads }');
    }
    this.name = options.name ?? 'faster-rcnn';
    if (!Array.isArray(options.classNames) || options.classNames.length === 0) {
      throw new InvalidArgumentError('options.classNames', 'expected a non-empty array of names');
    }
    this.classNames = options.classNames;
    if (!options.backbone || typeof options.backbone.run !== 'function') {
      throw new InvalidArgumentError(
        'options.backbone',
        'expected a FeatureBackbone { outputNames, run }',
      );
    }
    this.backbone = options.backbone;
    this.transform = resolveRCNNTransformOptions(options.transform);
    const rpn = options.rpn;
    if (!rpn || typeof rpn.head?.run !== 'function') {
      throw new InvalidArgumentError('options.rpn.head', 'expected an RpnHeadRunner { run }');
    }
    const featureNames = rpn.featureNames ?? this.backbone.outputNames;
    const anchorGenerator = rpn.anchorGenerator ?? new AnchorGenerator(FASTER_RCNN_FPN_ANCHORS);
    if (anchorGenerator.cellAnchors.length !== featureNames.length) {
      throw new InvalidArgumentError(
        'options.rpn.anchorGenerator',
        `has ${anchorGenerator.cellAnchors.length} levels but the RPN gets ${featureNames.length} feature maps (${featureNames.join(', ')})`,
      );
    }
    for (const n of featureNames) {
      if (!this.backbone.outputNames.includes(n)) {
        throw new InvalidArgumentError(
          'options.rpn.featureNames',
          `"${n}" is not a backbone output (${this.backbone.outputNames.join(', ')})`,
        );
      }
    }
    this.rpn = {
      head: rpn.head,
      anchorGenerator,
      boxCoder: rpn.boxCoder ?? new RcnnBoxCoder([1, 1, 1, 1]),
      featureNames,
      preNmsTopN: checkPositiveInt('options.rpn.preNmsTopN', rpn.preNmsTopN ?? 1000),
      postNmsTopN: checkPositiveInt('options.rpn.postNmsTopN', rpn.postNmsTopN ?? 1000),
      nmsThresh: checkUnit('options.rpn.nmsThresh', rpn.nmsThresh ?? 0.7),
      scoreThresh: checkNumber('options.rpn.scoreThresh', rpn.scoreThresh ?? 0),
      minSize: checkNumber('options.rpn.minSize', rpn.minSize ?? 1e-3),
    };
    const heads = options.roiHeads;
    if (!heads || typeof heads.boxHead?.run !== 'function') {
      throw new InvalidArgumentError(
        'options.roiHeads.boxHead',
        'expected a BoxHeadRunner { run }',
      );
    }
    const requested = heads.featureNames ?? ['0', '1', '2', '3'];
    // torchvision's `_filter_input`: the backbone's maps whose names are listed, in its order
    const poolNames = this.backbone.outputNames.filter((n) => requested.includes(n));
    if (poolNames.length === 0) {
      throw new InvalidArgumentError(
        'options.roiHeads.featureNames',
        `none of ${requested.join(', ')} is a backbone output (${this.backbone.outputNames.join(', ')})`,
      );
    }
    this.roiHeads = {
      boxHead: heads.boxHead,
      boxRoiPool: heads.boxRoiPool ?? new TorchvisionRoIPooler({ outputSize: 7, samplingRatio: 2 }),
      featureNames: poolNames,
      boxCoder: heads.boxCoder ?? new RcnnBoxCoder([10, 10, 5, 5]),
      scoreThresh: checkNumber('options.roiHeads.scoreThresh', heads.scoreThresh ?? 0.05),
      nmsThresh: checkUnit('options.roiHeads.nmsThresh', heads.nmsThresh ?? 0.5),
      detectionsPerImg: checkPositiveInt(
        'options.roiHeads.detectionsPerImg',
        heads.detectionsPerImg ?? 100,
      ),
    };
  }

  /**
   * Runs the whole model on one image and returns every intermediate result.
   * @param image [H, W, 3] uint8 RGB
   * @throws ModelOutputError naming the graph and output when a network returns the wrong shape
   *   or non-finite values; InvalidArgumentError on a bad image or options
   */
  async run(image: RgbImage, options: FasterRCNNRunOptions = {}): Promise<FasterRCNNResult> {
    const t0 = now();
    const input = rcnnTransform(image, this.transform);
    const t1 = now();
    const features = await this.backbone.run(input.tensor);
    this.checkFeatures(features, input);
    const t2 = now();

    let proposals: ProposalSet;
    let t3 = t2;
    let t4 = t2;
    if (options.proposals !== undefined) {
      assertBoxes('options.proposals', options.proposals);
      const boxes =
        options.proposalSpace === 'input'
          ? options.proposals
          : resizeBoxes(options.proposals, input.originalSize, input.imageSize);
      proposals = { boxes, source: 'external' };
    } else {
      const heads = await this.rpn.head.run(features, this.rpn.featureNames);
      t3 = now();
      const rpn = this.proposalsFrom(heads, features, input);
      proposals = { ...rpn, source: 'rpn' };
      t4 = now();
    }

    const second = await this.secondStage(features, proposals.boxes, input, options);
    const t7 = now();
    return {
      detections: second.detections,
      inputDetections: second.inputDetections,
      input,
      features,
      proposals,
      timings: {
        transform: t1 - t0,
        backbone: t2 - t1,
        rpnHead: t3 - t2,
        proposals: t4 - t3,
        roiAlign: second.roiAlign,
        boxHead: second.boxHead,
        postprocess: second.postprocess,
        total: t7 - t0,
      },
    };
  }

  /** `run(image, options).detections`. */
  async detect(image: RgbImage, options: FasterRCNNRunOptions = {}): Promise<Detections> {
    return (await this.run(image, options)).detections;
  }

  /** Disposes the parts that can be disposed (ONNX sessions). */
  async dispose(): Promise<void> {
    await Promise.all([
      this.backbone.dispose?.(),
      this.rpn.head.dispose?.(),
      this.roiHeads.boxHead.dispose?.(),
    ]);
  }

  private graph(part: string): string {
    return `${this.name}/${part}`;
  }

  /** Every level the RPN and the pooler use exists and is [1, C, H_l, W_l] within the input. */
  private checkFeatures(features: FeatureMaps, input: RCNNInput): void {
    const names = new Set([...this.rpn.featureNames, ...this.roiHeads.featureNames]);
    let channels = -1;
    for (const name of names) {
      const map = features[name];
      if (map === undefined) {
        throw new ModelOutputError(
          this.graph('backbone'),
          name,
          `missing; the backbone returned ${Object.keys(features).join(', ') || 'nothing'}`,
        );
      }
      const d = map.dims;
      const ok =
        d.length === 4 &&
        d[0] === 1 &&
        d[2]! >= 1 &&
        d[3]! >= 1 &&
        d[2]! <= input.paddedSize.height &&
        d[3]! <= input.paddedSize.width &&
        map.data.length === d[0]! * d[1]! * d[2]! * d[3]!;
      if (!ok) {
        throw new ModelOutputError(
          this.graph('backbone'),
          name,
          `expected shape [1, C, H, W] with H <= ${input.paddedSize.height} and W <= ${input.paddedSize.width} (the input), got ${formatDims(d)}`,
        );
      }
      if (channels === -1) channels = d[1]!;
      else if (d[1] !== channels) {
        throw new ModelOutputError(
          this.graph('backbone'),
          name,
          `has ${d[1]} channels where the other levels have ${channels}; the RPN and box heads share weights across levels`,
        );
      }
    }
  }

  /** Anchors, head outputs checked against them, then `rpnProposals`. */
  private proposalsFrom(
    heads: readonly { objectness: TensorView<Float32Array>; deltas: TensorView<Float32Array> }[],
    features: FeatureMaps,
    input: RCNNInput,
  ): Proposals {
    const names = this.rpn.featureNames;
    const perLocation = this.rpn.anchorGenerator.numAnchorsPerLocation();
    if (heads.length !== names.length) {
      throw new ModelOutputError(
        this.graph('rpnHead'),
        '(outputs)',
        `expected ${names.length} levels (${names.join(', ')}), got ${heads.length}`,
      );
    }
    const sizes = names.map((n) => ({
      height: features[n]!.dims[2]!,
      width: features[n]!.dims[3]!,
    }));
    const levels: RpnLevelOutput[] = heads.map((h, l) => {
      const a = perLocation[l]!;
      const { height, width } = sizes[l]!;
      const name = names[l]!;
      const od = h.objectness.dims;
      if (od.length !== 4 || od[0] !== 1 || od[1] !== a || od[2] !== height || od[3] !== width) {
        throw new ModelOutputError(
          this.graph('rpnHead'),
          `objectness_${name}`,
          `expected shape [1, A=${a}, ${height}, ${width}] (A anchors per location, feature map "${name}" size), got ${formatDims(od)}`,
        );
      }
      const dd = h.deltas.dims;
      if (
        dd.length !== 4 ||
        dd[0] !== 1 ||
        dd[1] !== 4 * a ||
        dd[2] !== height ||
        dd[3] !== width
      ) {
        throw new ModelOutputError(
          this.graph('rpnHead'),
          `bbox_deltas_${name}`,
          `expected shape [1, 4A=${4 * a}, ${height}, ${width}], got ${formatDims(dd)}`,
        );
      }
      assertFiniteOutput(this.graph('rpnHead'), `objectness_${name}`, h.objectness.data);
      assertFiniteOutput(this.graph('rpnHead'), `bbox_deltas_${name}`, h.deltas.data);
      return {
        objectness: h.objectness.data,
        deltas: h.deltas.data,
        height,
        width,
        anchorsPerLocation: a,
      };
    });
    const anchors = this.rpn.anchorGenerator.generatePerLevel(sizes, input.paddedSize);
    return rpnProposals(levels, anchors, input.imageSize, this.rpn);
  }

  /** RoI Align → box head → `fastRcnnInference` → original pixels. */
  private async secondStage(
    features: FeatureMaps,
    proposals: Float32Array,
    input: RCNNInput,
    options: FasterRCNNRunOptions,
  ): Promise<{
    detections: Detections;
    inputDetections: RoiDetections;
    roiAlign: number;
    boxHead: number;
    postprocess: number;
  }> {
    const settings = {
      boxCoder: this.roiHeads.boxCoder,
      scoreThresh: checkNumber(
        'options.scoreThresh',
        options.scoreThresh ?? this.roiHeads.scoreThresh,
      ),
      nmsThresh: checkUnit('options.nmsThresh', options.nmsThresh ?? this.roiHeads.nmsThresh),
      detectionsPerImg: checkPositiveInt(
        'options.detectionsPerImg',
        options.detectionsPerImg ?? this.roiHeads.detectionsPerImg,
      ),
      allowed: options.allowed,
      classAgnostic: options.classAgnostic === true,
    };
    const K = proposals.length / 4;
    const C1 = this.classNames.length + 1;
    let roiAlign = 0;
    let boxHead = 0;
    const t0 = now();
    let inputDetections: RoiDetections;
    if (K === 0) {
      inputDetections = {
        boxes: new Float32Array(0),
        scores: new Float32Array(0),
        labels: new Int32Array(0),
        proposalIndices: new Int32Array(0),
      };
    } else {
      const pooled = this.roiHeads.boxRoiPool.forward(
        this.roiHeads.featureNames.map((n) => features[n]!),
        [proposals],
        [input.imageSize],
      );
      const t1 = now();
      roiAlign = t1 - t0;
      const out = await this.roiHeads.boxHead.run(pooled);
      const t2 = now();
      boxHead = t2 - t1;
      const graph = this.graph('boxHead');
      const ld = out.classLogits.dims;
      if (ld.length !== 2 || ld[0] !== K || ld[1] !== C1) {
        throw new ModelOutputError(
          graph,
          'class_logits',
          `expected shape [K=${K}, ${C1}] (${this.classNames.length} classes + background), got ${formatDims(ld)}`,
        );
      }
      const rd = out.boxRegression.dims;
      if (rd.length !== 2 || rd[0] !== K || rd[1] !== 4 * C1) {
        throw new ModelOutputError(
          graph,
          'box_regression',
          `expected shape [K=${K}, ${4 * C1}] (4 deltas per class incl. background), got ${formatDims(rd)}`,
        );
      }
      assertFiniteOutput(graph, 'class_logits', out.classLogits.data);
      assertFiniteOutput(graph, 'box_regression', out.boxRegression.data);
      inputDetections = fastRcnnInference(
        out.classLogits.data,
        out.boxRegression.data,
        proposals,
        C1,
        input.imageSize,
        settings,
      );
    }
    const t3 = now();
    const boxes = resizeBoxes(inputDetections.boxes, input.imageSize, input.originalSize);
    const labelNames = Array.from(inputDetections.labels, (l) => this.classNames[l]!);
    const detections: Detections = {
      boxes,
      scores: inputDetections.scores,
      labels: inputDetections.labels,
      labelNames,
      imageSize: input.originalSize,
    };
    const postprocess = now() - t3 + (t3 - t0 - roiAlign - boxHead);
    return { detections, inputDetections, roiAlign, boxHead, postprocess };
  }
}
