/**
 * The page: picks an image (file, drop, sample scene or webcam frame), a model card and a
 * backend, runs the model in the inference worker and draws the result, with a score slider
 * and per-class toggles that re-filter the last result without running the model again.
 *
 * For tests and curious people, `window.__ocelot` mirrors the page state as plain JSON: the
 * model's detections (`last.detections`), what is drawn (`last.visible`), timings, the
 * execution provider used and whether the page is cross-origin isolated.
 */
import './styles.css';
import { decodeImage, fromDrawable, type RgbImage, toImageData } from '@ocelot/image';
import { type BackendStatus, detectBackends } from './app/backends.js';
import { InferenceClient } from './app/client.js';
import { classColor, renderResult } from './app/draw.js';
import {
  type ClassCount,
  classCounts,
  isBackgroundClass,
  pixelCounts,
  visibleDetections,
} from './app/filter.js';
import { type DemoHook, fnv1a, type PlainDetection, plainDetections } from './app/hook.js';
import { defaultModel, type Manifest, type ManifestModel, taskGroup } from './shared/manifest.js';
import type { Backend, InferenceResult, RunOptions } from './shared/protocol.js';

/** Score threshold the model runs with; the slider filters above it without re-running. */
const RUN_SCORE_THRESHOLD = 0.05;
/** Slider position for a card without a default score threshold. */
const DISPLAY_SCORE_THRESHOLD = 0.25;
/** Rows of the detections table (the canvas shows all). */
const TABLE_ROWS = 100;

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el as T;
};

const ui = {
  env: $<HTMLParagraphElement>('env-status'),
  form: $<HTMLFormElement>('controls'),
  fileInput: $<HTMLInputElement>('file-input'),
  dropZone: $<HTMLDivElement>('drop-zone'),
  sampleSelect: $<HTMLSelectElement>('sample-select'),
  sampleButton: $<HTMLButtonElement>('sample-button'),
  webcamButton: $<HTMLButtonElement>('webcam-button'),
  webcamStatus: $<HTMLParagraphElement>('webcam-status'),
  video: $<HTMLVideoElement>('webcam'),
  modelSelect: $<HTMLSelectElement>('model-select'),
  modelInfo: $<HTMLParagraphElement>('model-info'),
  backendSelect: $<HTMLSelectElement>('backend-select'),
  backendInfo: $<HTMLUListElement>('backend-info'),
  runButton: $<HTMLButtonElement>('run-button'),
  scoreSlider: $<HTMLInputElement>('score-slider'),
  scoreValue: $<HTMLOutputElement>('score-value'),
  scoreHint: $<HTMLParagraphElement>('score-hint'),
  classList: $<HTMLUListElement>('class-list'),
  classEmpty: $<HTMLParagraphElement>('class-empty'),
  classesAll: $<HTMLButtonElement>('classes-all'),
  classesNone: $<HTMLButtonElement>('classes-none'),
  error: $<HTMLDivElement>('error'),
  busy: $<HTMLDivElement>('busy'),
  canvas: $<HTMLCanvasElement>('canvas'),
  stats: $<HTMLDListElement>('stats'),
  table: $<HTMLTableElement>('detections-table'),
  tableWrap: $<HTMLDivElement>('detections-wrap'),
  tableCaption: $<HTMLTableCaptionElement>('detections-caption'),
  skipped: $<HTMLDetailsElement>('skipped'),
};
const ctx = (() => {
  const c = ui.canvas.getContext('2d', { willReadFrequently: true });
  if (!c) throw new Error('this browser gives no 2D canvas context');
  return c;
})();

const baseUrl = new URL(import.meta.env.BASE_URL, location.href);
const appUrl = (path: string) => new URL(path, baseUrl).href;

const hook: DemoHook = {
  ready: false,
  state: 'loading',
  crossOriginIsolated: globalThis.crossOriginIsolated === true,
  completedRuns: 0,
  failedRuns: 0,
  warnings: [],
  labelMap: () => {
    const r = state.result;
    return r?.kind === 'semantic' ? Array.from(r.labelMap) : undefined;
  },
};
(globalThis as unknown as { __ocelot: DemoHook }).__ocelot = hook;

interface PageState {
  manifest: Manifest | undefined;
  backends: BackendStatus[];
  image: { rgb: RgbImage; pixels: ImageData; name: string } | undefined;
  result: InferenceResult | undefined;
  /** Result drawn for the model with this id (class toggles reset when it changes). */
  resultModelId: string | undefined;
  hidden: Set<number>;
  latestRun: number;
  webcam: MediaStream | undefined;
}

const state: PageState = {
  manifest: undefined,
  backends: [],
  image: undefined,
  result: undefined,
  resultModelId: undefined,
  hidden: new Set(),
  latestRun: 0,
  webcam: undefined,
};

const threads = hook.crossOriginIsolated
  ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1))
  : 1;
const client = new InferenceClient(
  new Worker(new URL('./worker/inference.worker.ts', import.meta.url), {
    type: 'module',
    name: 'ocelot-inference',
  }),
  { wasmPaths: appUrl('ort/'), threads },
  {
    onProgress(id, stage) {
      if (id === state.latestRun) {
        setBusy(stage === 'loading' ? 'Loading the model…' : 'Running the model…');
      }
    },
    onWarning(message) {
      hook.warnings.push(message);
      console.warn(`[ocelot worker] ${message}`);
    },
  },
);

// ---------------------------------------------------------------------------------- messages

function showError(message: string | undefined): void {
  ui.error.hidden = message === undefined;
  ui.error.textContent = message ?? '';
  hook.error = message;
}

function setBusy(message: string): void {
  ui.busy.textContent = message;
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.message} (${error.name}${typeof code === 'string' ? `, ${code}` : ''})`;
  }
  return String(error);
}

// ---------------------------------------------------------------------------------- models

function selectedModel(): ManifestModel | undefined {
  return state.manifest?.models.find((m) => m.id === ui.modelSelect.value);
}

function selectedBackend(): Backend {
  return ui.backendSelect.value as Backend;
}

function formatBytes(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1e3))} kB`;
}

function describeModel(m: ManifestModel | undefined): void {
  if (!m) {
    ui.modelInfo.textContent = 'No model cards are served: see "Model cards not served" below.';
    return;
  }
  const what =
    m.task === 'detect'
      ? 'detection'
      : m.task === 'segment'
        ? 'semantic segmentation'
        : 'instance segmentation';
  const fixture = m.fixture
    ? ' Test fixture with random weights (no trained model of this kind in models/ yet): the pipeline is real, its predictions mean nothing.'
    : '';
  ui.modelInfo.textContent = `${what}, ${formatBytes(m.bytes)}, from ${m.source}.${fixture}`;
}

/** The slider's range and position for a model: from the run threshold to 1. */
function resetScoreSlider(m: ManifestModel | undefined): void {
  const semantic = m?.task === 'segment';
  ui.scoreSlider.disabled = semantic;
  ui.scoreHint.textContent = semantic
    ? 'A label map has no scores: use the class toggles.'
    : 'Re-filters the last result; the model does not run again.';
  const run = runThreshold(m);
  const display = Math.max(run, m?.scoreThreshold ?? DISPLAY_SCORE_THRESHOLD);
  ui.scoreSlider.min = String(run);
  ui.scoreSlider.value = String(display);
  ui.scoreValue.textContent = semantic ? '–' : display.toFixed(2);
}

function runThreshold(m: ManifestModel | undefined): number {
  return Math.min(RUN_SCORE_THRESHOLD, m?.scoreThreshold ?? RUN_SCORE_THRESHOLD);
}

function fillModels(manifest: Manifest): void {
  ui.modelSelect.replaceChildren();
  const groups: [string, ManifestModel[]][] = [
    ['Detection', manifest.models.filter((m) => taskGroup(m.task) === 'detect')],
    ['Segmentation', manifest.models.filter((m) => taskGroup(m.task) === 'segment')],
  ];
  for (const [label, models] of groups) {
    if (models.length === 0) continue;
    const group = document.createElement('optgroup');
    group.label = label;
    for (const m of models) {
      const option = new Option(`${m.name}${m.fixture ? ' (test fixture)' : ''}`, m.id);
      group.append(option);
    }
    ui.modelSelect.append(group);
  }
  const first = defaultModel(manifest, 'detect') ?? defaultModel(manifest, 'segment');
  if (first) ui.modelSelect.value = first.id;
  ui.modelSelect.disabled = manifest.models.length === 0;
  describeModel(selectedModel());
  resetScoreSlider(selectedModel());

  ui.sampleSelect.replaceChildren(
    ...manifest.samples.map((s) => new Option(s.name, appUrl(s.url))),
  );
  const noSamples = manifest.samples.length === 0;
  ui.sampleSelect.disabled = noSamples;
  ui.sampleButton.disabled = noSamples;
  if (noSamples) ui.sampleSelect.append(new Option('(no sample scenes in models/defaults.json)'));

  const list = ui.skipped.querySelector('ul')!;
  list.replaceChildren(
    ...manifest.skipped.map((s) => {
      const li = document.createElement('li');
      li.textContent = `${s.source}: ${s.reason}`;
      return li;
    }),
  );
  ui.skipped.hidden = manifest.skipped.length === 0;
}

function fillBackends(statuses: BackendStatus[]): void {
  ui.backendInfo.replaceChildren();
  for (const s of statuses) {
    const option = [...ui.backendSelect.options].find((o) => o.value === s.backend);
    if (option) {
      option.disabled = !s.available;
      option.title = s.reason ?? '';
      option.textContent = `${option.textContent?.replace(/ — unavailable$/, '')}${s.available ? '' : ' — unavailable'}`;
    }
    if (!s.available) {
      const li = document.createElement('li');
      li.textContent = `${s.backend}: ${s.reason}`;
      ui.backendInfo.append(li);
    }
  }
  ui.backendSelect.value = 'wasm';
}

// ---------------------------------------------------------------------------------- images

function setImage(rgb: RgbImage, name: string): void {
  state.image = { rgb, pixels: toImageData(rgb), name };
  hook.image = {
    name,
    width: rgb.width,
    height: rgb.height,
    // hashing a webcam frame every run would be waste; the test uses still images
    fnv1a: state.webcam ? 0 : fnv1a(rgb.data),
  };
  draw();
}

async function openBlob(blob: Blob, name: string): Promise<void> {
  showError(undefined);
  let rgb: RgbImage;
  try {
    rgb = await decodeImage(blob);
  } catch (error) {
    // the image package names the source itself ("notes.txt: …"); say it once
    const message = describeError(error);
    showError(
      `Could not open "${name}": ${message.startsWith(`${name}: `) ? message.slice(name.length + 2) : message}`,
    );
    hook.state = 'error';
    return;
  }
  stopWebcam();
  state.result = undefined;
  setImage(rgb, name);
  await run();
}

async function openSample(): Promise<void> {
  const url = ui.sampleSelect.value;
  const name = ui.sampleSelect.selectedOptions[0]?.textContent ?? url;
  showError(undefined);
  let blob: Blob;
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    blob = await response.blob();
  } catch (error) {
    showError(`Could not load the sample scene ${url}: ${describeError(error)}`);
    return;
  }
  await openBlob(blob, name);
}

// ---------------------------------------------------------------------------------- webcam

function webcamUnavailableReason(): string | undefined {
  if (!window.isSecureContext) {
    return 'The webcam needs a secure context: open the demo over https or from localhost.';
  }
  if (!navigator.mediaDevices?.getUserMedia) {
    return 'This browser offers no camera access (navigator.mediaDevices.getUserMedia is missing).';
  }
  return undefined;
}

function stopWebcam(): void {
  if (!state.webcam) return;
  for (const track of state.webcam.getTracks()) track.stop();
  state.webcam = undefined;
  ui.video.srcObject = null;
  ui.webcamButton.textContent = 'Start webcam';
  ui.webcamButton.setAttribute('aria-pressed', 'false');
  ui.webcamStatus.textContent = 'Webcam stopped.';
}

async function startWebcam(): Promise<void> {
  const reason = webcamUnavailableReason();
  if (reason) {
    ui.webcamStatus.textContent = reason;
    return;
  }
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 640 }, height: { ideal: 480 } },
      audio: false,
    });
  } catch (error) {
    const name = (error as Error).name;
    ui.webcamStatus.textContent =
      name === 'NotAllowedError'
        ? 'Camera permission was denied; allow it in the browser to use the webcam.'
        : name === 'NotFoundError' || name === 'OverconstrainedError'
          ? 'No camera was found.'
          : name === 'NotReadableError'
            ? 'The camera is in use by another application.'
            : `The webcam could not start: ${describeError(error)}`;
    return;
  }
  state.webcam = stream;
  ui.video.srcObject = stream;
  await ui.video.play();
  ui.webcamButton.textContent = 'Stop webcam';
  ui.webcamButton.setAttribute('aria-pressed', 'true');
  ui.webcamStatus.textContent = 'Webcam on: each frame runs as soon as the previous one is done.';
  void webcamLoop(stream);
}

async function webcamLoop(stream: MediaStream): Promise<void> {
  while (state.webcam === stream) {
    if (ui.video.readyState >= 2 && ui.video.videoWidth > 0) {
      setImage(fromDrawable(ui.video), 'webcam frame');
      await run();
      if (hook.state === 'error') {
        stopWebcam();
        break;
      }
    }
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
}

// ---------------------------------------------------------------------------------- running

async function run(): Promise<void> {
  const image = state.image;
  const model = selectedModel();
  if (!image || !model) return;
  const backend = selectedBackend();
  const options: RunOptions =
    model.task === 'segment' ? {} : { scoreThreshold: runThreshold(model) };
  showError(undefined);
  hook.state = 'running';
  ui.canvas.dataset.state = 'running';
  ui.runButton.disabled = true;
  const { id, result } = client.run(
    { id: model.id, task: model.task, cardUrl: appUrl(model.cardUrl) },
    backend,
    { data: image.rgb.data.slice(), width: image.rgb.width, height: image.rgb.height },
    options,
  );
  state.latestRun = id;
  setBusy('Running…');
  try {
    const r = await result;
    if (id !== state.latestRun) return;
    if (state.resultModelId !== r.modelId) {
      state.hidden = new Set(
        r.kind === 'semantic'
          ? r.classNames.flatMap((n, i) => (isBackgroundClass(n) ? [i] : []))
          : [],
      );
      state.resultModelId = r.modelId;
    }
    state.result = r;
    hook.completedRuns++;
    hook.state = 'done';
    setBusy('');
    draw();
    showStats(r, backend);
  } catch (error) {
    if (id !== state.latestRun) return;
    hook.failedRuns++;
    hook.state = 'error';
    ui.canvas.dataset.state = 'error';
    setBusy('');
    showError(`${model.name} failed: ${describeError(error)}`);
  } finally {
    if (id === state.latestRun) ui.runButton.disabled = false;
  }
}

// ---------------------------------------------------------------------------------- drawing

function minScore(): number {
  return Number(ui.scoreSlider.value);
}

function draw(): void {
  const image = state.image;
  if (!image) return;
  const r = state.result;
  const visible =
    r?.kind === 'detect' ? visibleDetections(r, minScore(), state.hidden) : new Int32Array(0);
  renderResult(ctx, image.pixels, r, visible, state.hidden);
  ui.canvas.dataset.state = r ? 'done' : 'image';
  ui.canvas.dataset.run = String(hook.completedRuns);
  ui.canvas.dataset.visible = String(visible.length);
  const size = `${image.rgb.width}×${image.rgb.height}`;
  ui.canvas.setAttribute(
    'aria-label',
    !r
      ? `${image.name}, ${size}`
      : r.kind === 'detect'
        ? `${image.name}, ${size}: ${visible.length} of ${r.scores.length} detections drawn`
        : `${image.name}, ${size}: label map with classes ${Array.from(r.classesPresent, (c) => r.classNames[c] ?? c).join(', ')}`,
  );
  if (!r) {
    hook.last = undefined;
    ui.tableWrap.hidden = true;
    return;
  }
  const counts =
    r.kind === 'detect'
      ? classCounts(r, r.classNames, minScore())
      : pixelCounts(r.labelMap, r.classNames);
  fillClassToggles(r, counts);
  const all: PlainDetection[] = r.kind === 'detect' ? plainDetections(r, r.classNames) : [];
  const shown = Array.from(visible, (i) => all[i]!);
  hook.last = {
    modelId: r.modelId,
    kind: r.kind,
    imageSize: r.imageSize,
    classNames: [...r.classNames],
    executionProvider: r.executionProvider,
    providerAttempts: [...r.providerAttempts],
    timings: r.timings,
    worker: r.worker,
    options: r.options,
    minScore: minScore(),
    hidden: [...state.hidden].sort((a, b) => a - b),
    detections: all,
    visible: shown,
    classesPresent: r.kind === 'semantic' ? Array.from(r.classesPresent) : undefined,
  };
  fillTable(r, shown);
}

function fillClassToggles(r: InferenceResult, counts: ClassCount[]): void {
  const focused = document.activeElement as HTMLElement | null;
  const focusedLabel = focused?.dataset.label;
  ui.classList.replaceChildren(
    ...counts.map((c) => {
      const li = document.createElement('li');
      const label = document.createElement('label');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = !state.hidden.has(c.label);
      box.dataset.label = String(c.label);
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      const [cr, cg, cb] = classColor(r.kind, c.label);
      swatch.style.background = `rgb(${cr}, ${cg}, ${cb})`;
      swatch.setAttribute('aria-hidden', 'true');
      const text =
        r.kind === 'detect'
          ? `${c.name} (${c.aboveThreshold} of ${c.total})`
          : `${c.name} (${((100 * c.total) / r.labelMap.length).toFixed(1)} % of pixels)`;
      label.append(box, swatch, document.createTextNode(text));
      li.append(label);
      return li;
    }),
  );
  ui.classEmpty.hidden = counts.length > 0;
  ui.classEmpty.textContent = counts.length === 0 ? 'Nothing found: no classes to toggle.' : '';
  if (focusedLabel !== undefined) {
    ui.classList.querySelector<HTMLInputElement>(`input[data-label="${focusedLabel}"]`)?.focus();
  }
}

function fillTable(r: InferenceResult, shown: PlainDetection[]): void {
  if (r.kind !== 'detect') {
    ui.tableWrap.hidden = true;
    return;
  }
  const body = ui.table.tBodies[0]!;
  body.replaceChildren(
    ...shown.slice(0, TABLE_ROWS).map((d, k) => {
      const tr = document.createElement('tr');
      const cells = [
        String(k + 1),
        d.labelName,
        d.score.toFixed(3),
        d.box.map((v) => v.toFixed(1)).join(', '),
      ];
      for (const text of cells) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }),
  );
  const capped = shown.length > TABLE_ROWS ? `, first ${TABLE_ROWS} listed` : '';
  ui.tableCaption.textContent = `Detections: ${shown.length} shown of ${r.scores.length} found${capped}`;
  ui.tableWrap.hidden = false;
}

function ms(v: number): string {
  return `${v.toFixed(1)} ms`;
}

function showStats(r: InferenceResult, requested: Backend): void {
  const attempts = r.providerAttempts
    .map((a) => (a.ok ? `${a.provider}: used` : `${a.provider}: ${a.reason ?? 'failed'}`))
    .join('; ');
  const t = r.timings;
  const rows: [string, string][] = [
    ['Model', r.modelId],
    [
      'Execution provider',
      `${r.executionProvider}${r.executionProvider !== requested ? ` (asked for ${requested})` : ''}`,
    ],
    ['Provider attempts', attempts || '–'],
    [
      'wasm threads',
      `${r.worker.threads}${r.worker.crossOriginIsolated ? '' : ' (worker not cross-origin isolated)'}`,
    ],
    ['Pre-processing', ms(t.preMs)],
    ['Model', ms(t.modelMs)],
    ['Post-processing', ms(t.postMs)],
    ['Total', ms(t.totalMs)],
  ];
  if (t.loadMs > 0) rows.push(['Model load (this run)', ms(t.loadMs)]);
  ui.stats.replaceChildren(
    ...rows.flatMap(([k, v]) => {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = v;
      return [dt, dd];
    }),
  );
}

// ---------------------------------------------------------------------------------- wiring

ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (!state.image) {
    showError('Choose an image, load a sample scene or start the webcam first.');
    return;
  }
  void run();
});

ui.fileInput.addEventListener('change', () => {
  const file = ui.fileInput.files?.[0];
  if (file) void openBlob(file, file.name);
});

ui.dropZone.addEventListener('dragover', (event) => {
  event.preventDefault();
  ui.dropZone.classList.add('dragging');
});
ui.dropZone.addEventListener('dragleave', () => ui.dropZone.classList.remove('dragging'));
ui.dropZone.addEventListener('drop', (event) => {
  event.preventDefault();
  ui.dropZone.classList.remove('dragging');
  const file = event.dataTransfer?.files[0];
  if (file) void openBlob(file, file.name);
  else showError('Nothing to open: drop an image file.');
});

ui.sampleButton.addEventListener('click', () => void openSample());

ui.webcamButton.addEventListener('click', () => {
  if (state.webcam) stopWebcam();
  else void startWebcam();
});

ui.modelSelect.addEventListener('change', () => {
  const m = selectedModel();
  describeModel(m);
  resetScoreSlider(m);
  if (state.image && !state.webcam) void run();
});

ui.backendSelect.addEventListener('change', () => {
  if (state.image && !state.webcam) void run();
});

ui.scoreSlider.addEventListener('input', () => {
  ui.scoreValue.textContent = minScore().toFixed(2);
  draw();
});

ui.classList.addEventListener('change', (event) => {
  const box = event.target as HTMLInputElement;
  const label = Number(box.dataset.label);
  if (box.checked) state.hidden.delete(label);
  else state.hidden.add(label);
  draw();
});

ui.classesAll.addEventListener('click', () => {
  state.hidden.clear();
  draw();
});

ui.classesNone.addEventListener('click', () => {
  for (const box of ui.classList.querySelectorAll<HTMLInputElement>('input[data-label]')) {
    state.hidden.add(Number(box.dataset.label));
  }
  draw();
});

// ---------------------------------------------------------------------------------- start

async function start(): Promise<void> {
  ui.env.textContent = hook.crossOriginIsolated
    ? `Cross-origin isolated: wasm runs with ${threads} thread${threads === 1 ? '' : 's'}.`
    : 'Not cross-origin isolated (the server did not send COOP/COEP): wasm runs on 1 thread.';
  const [manifest, backends] = await Promise.all([
    fetch(appUrl('models/index.json')).then(async (r) => {
      if (!r.ok) throw new Error(`models/index.json: HTTP ${r.status} ${r.statusText}`);
      return (await r.json()) as Manifest;
    }),
    detectBackends(),
  ]);
  state.manifest = manifest;
  state.backends = backends;
  hook.manifest = manifest;
  hook.backends = backends;
  fillModels(manifest);
  fillBackends(backends);
  hook.ready = true;
  hook.state = 'idle';
}

start().catch((error: unknown) => {
  hook.state = 'error';
  showError(`The demo could not start: ${describeError(error)}`);
});
