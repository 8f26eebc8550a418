/**
 * Specs of torchvision's backbones (0.14), and `registerBuiltins`. Channels and strides are
 * torchvision's; tooling/python/export/torchvision_backbones.py measures them from the real
 * modules and the tests compare.
 */
import type { BackboneRegistry } from './registry.js';
import {
  type BackboneSpec,
  defineBackboneSpec,
  type FeatureSpec,
  IMAGENET_NORMALIZATION,
  withFpn,
} from './spec.js';

function resnet(name: string, channels: readonly [number, number, number, number]): BackboneSpec {
  const outputs: FeatureSpec[] = channels.map((c, i) => ({
    name: `c${i + 2}`,
    channels: c,
    stride: 4 * 2 ** i,
  }));
  return defineBackboneSpec({
    name,
    description: `${name} C2–C5 (torchvision layer1–layer4)`,
    normalization: IMAGENET_NORMALIZATION,
    outputs,
    sizeDivisibility: 32,
    source: `torchvision.models.${name}: layer1 → c2, layer2 → c3, layer3 → c4, layer4 → c5`,
  });
}

/** ResNet-18 C2–C5: 64, 128, 256, 512 channels at strides 4, 8, 16, 32. */
export const RESNET18: BackboneSpec = resnet('resnet18', [64, 128, 256, 512]);
/** ResNet-34 C2–C5: 64, 128, 256, 512 channels at strides 4, 8, 16, 32. */
export const RESNET34: BackboneSpec = resnet('resnet34', [64, 128, 256, 512]);
/** ResNet-50 C2–C5: 256, 512, 1024, 2048 channels at strides 4, 8, 16, 32. */
export const RESNET50: BackboneSpec = resnet('resnet50', [256, 512, 1024, 2048]);

/**
 * MobileNetV3-Large's layers that torchvision's `fasterrcnn_mobilenet_v3_large_fpn` returns
 * (`_mobilenet_extractor`: the last two stages, `features[13]` and `features[16]`, both at
 * stride 32).
 */
export const MOBILENET_V3_LARGE: BackboneSpec = defineBackboneSpec({
  name: 'mobilenet-v3-large',
  description: 'MobileNetV3-Large, the two layers torchvision returns to its FPN',
  normalization: IMAGENET_NORMALIZATION,
  outputs: [
    { name: '13', channels: 160, stride: 32 },
    { name: '16', channels: 960, stride: 32 },
  ],
  sizeDivisibility: 32,
  source: 'torchvision.models.mobilenet_v3_large().features[13], features[16]',
});

/** MobileNetV3-Small's returned layers (`features[9]`, `features[12]`, stride 32). */
export const MOBILENET_V3_SMALL: BackboneSpec = defineBackboneSpec({
  name: 'mobilenet-v3-small',
  description: 'MobileNetV3-Small, the two layers torchvision returns to its FPN',
  normalization: IMAGENET_NORMALIZATION,
  outputs: [
    { name: '9', channels: 96, stride: 32 },
    { name: '12', channels: 576, stride: 32 },
  ],
  sizeDivisibility: 32,
  source: 'torchvision.models.mobilenet_v3_small().features[9], features[12]',
});

/**
 * VGG16 as SSD300 uses it (torchvision `SSDFeatureExtractorVGG`): conv4_3 (after the L2 norm
 * with its learned scale) at stride 8 — pool3 uses `ceil_mode`, so 300 → 38 — and fc7 (the
 * dilated conv6/conv7 replacing the classifier) at stride 16. Inputs are 0–255 minus the mean.
 */
export const VGG16_SSD: BackboneSpec = defineBackboneSpec({
  name: 'vgg16-ssd',
  description: 'VGG16 conv4_3 and fc7 as SSD300 uses them',
  normalization: {
    scale: 1 / 255,
    mean: [0.48235, 0.45882, 0.40784],
    std: [1 / 255, 1 / 255, 1 / 255],
    channelOrder: 'rgb',
  },
  outputs: [
    { name: 'conv4_3', channels: 512, stride: 8 },
    { name: 'fc7', channels: 1024, stride: 16 },
  ],
  sizeDivisibility: 1,
  fixedInputSize: { width: 300, height: 300 },
  source: 'torchvision.models.detection.ssd.SSDFeatureExtractorVGG (vgg16 features)',
});

/** ResNet-50 + FPN as torchvision's `fasterrcnn_resnet50_fpn`: `0`–`3` at strides 4–32, `pool` at 64, 256 channels. */
export const RESNET50_FPN: BackboneSpec = withFpn(RESNET50);
export const RESNET18_FPN: BackboneSpec = withFpn(RESNET18);
export const RESNET34_FPN: BackboneSpec = withFpn(RESNET34);
/** torchvision's `fasterrcnn_mobilenet_v3_large_fpn` backbone: `0`, `1` (stride 32), `pool` (64). */
export const MOBILENET_V3_LARGE_FPN: BackboneSpec = withFpn(MOBILENET_V3_LARGE);
export const MOBILENET_V3_SMALL_FPN: BackboneSpec = withFpn(MOBILENET_V3_SMALL);

/** Every built-in spec, by name. */
export const BUILTIN_BACKBONES: readonly BackboneSpec[] = [
  RESNET18,
  RESNET34,
  RESNET50,
  RESNET18_FPN,
  RESNET34_FPN,
  RESNET50_FPN,
  MOBILENET_V3_LARGE,
  MOBILENET_V3_SMALL,
  MOBILENET_V3_LARGE_FPN,
  MOBILENET_V3_SMALL_FPN,
  VGG16_SSD,
];

/** Registers every built-in spec; throws `DuplicateRegistrationError` if a name is taken. */
export function registerBuiltins(registry: BackboneRegistry): BackboneRegistry {
  for (const spec of BUILTIN_BACKBONES) registry.register(spec.name, spec);
  return registry;
}
