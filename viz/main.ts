/**
 * The NanoTerasu twin in the browser. It reads results bundles written by `npx nanoterasu run`
 * (served from viz/public/bundles by `npm run view`, which writes them first), builds the scene from
 * the survey in the bundle, and shows the same numbers the CLI prints. No physics on the render
 * thread, and none of its own: everything shown comes from the library, through the bundle or (for
 * the RF slider) from the library itself running in a Web Worker (physics.worker.ts).
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { buildFacility, type FacilityScene } from './scene/build.ts';
import { ringExtent, TYPE_COLOURS, type BundleLike } from './scene/layout.ts';
import { buildTour, TourController } from './tour/tour.ts';
import { beamlinePanelRows, catalogueOf, diffRows, fmt, overlayValues } from './panels/data.ts';
import type { PhysicsReply, PhysicsRequest, RfAnswer } from './physics.worker.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const canvas = $<HTMLCanvasElement>('scene');
const status = $('status');

interface BundleIndex { scenarios: { name: string; file: string; description?: string }[] }

const renderer = new THREE.WebGLRenderer({ canvas, antialias: true, preserveDrawingBuffer: true });
renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
const scene = new THREE.Scene();
scene.background = new THREE.Color(0xeef1f4);
scene.add(new THREE.HemisphereLight(0xffffff, 0x8a8070, 1.6));
const sun = new THREE.DirectionalLight(0xffffff, 1.6);
sun.position.set(80, 200, 40);
scene.add(sun);
const camera = new THREE.PerspectiveCamera(45, 1, 0.5, 5000);
const controls = new OrbitControls(camera, canvas);
controls.enableDamping = true;

let facility: FacilityScene | undefined;
let bundle: BundleLike | undefined;
let tour: TourController | undefined;
const reduced = $<HTMLInputElement>('reduced-motion');
reduced.checked = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;

function resize() {
  const w = canvas.clientWidth, h = canvas.clientHeight;
  if (canvas.width !== w || canvas.height !== h) {
    renderer.setSize(w, h, false);
    camera.aspect = w / Math.max(h, 1);
    camera.updateProjectionMatrix();
  }
}

async function fetchJson<T>(url: string): Promise<T> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status} — run \`npm run view\` (it writes the bundles first)`);
  return (await r.json()) as T;
}

async function loadScenario(file: string) {
  status.textContent = `loading ${file}…`;
  bundle = await fetchJson<BundleLike>(`bundles/${file}`);
  if (facility) scene.remove(facility.root);
  const cat = catalogueOf(bundle);
  facility = buildFacility(bundle, cat);
  scene.add(facility.root);
  const { centre, radiusM } = ringExtent(bundle);
  controls.target.set(...centre);
  camera.position.set(centre[0] + radiusM * 1.3, radiusM * 2.4, centre[2] + radiusM * 2.3);
  tour = new TourController(buildTour(bundle, cat));
  applyOverlay();
  drawLegend();
  drawLabels(true);
  drawPlots();
  await compare();
  (window as any).__twin = {
    counts: facility.counts,
    notes: facility.notes,
    beamlines: facility.beamlines.map((b) => b.id),
    tourStops: tour.stops.map((s) => s.id),
    ready: true,
  };
  status.textContent = `${bundle.scenario?.name ?? file}: ${facility.counts.builtBeamlines} beamlines, ${Object.values(facility.counts.magnets).reduce((a, b) => a + b, 0)} magnets`;
}

function drawLegend() {
  const types = Object.keys(facility?.counts.magnets ?? {});
  $('legend').innerHTML = types
    .map((t) => `<i style="background:#${(TYPE_COLOURS[t] ?? 0x888888).toString(16).padStart(6, '0')}"></i>${t} (${facility!.counts.magnets[t]})`)
    .join('') + `<br><small>${facility!.notes.join('<br>')}</small>`;
}

const labelEls: { el: HTMLSpanElement; p: THREE.Vector3 }[] = [];
const _p = new THREE.Vector3();
function drawLabels(rebuild = false) {
  const host = $('labels');
  if (rebuild) {
    host.innerHTML = '';
    labelEls.length = 0;
    for (const bl of facility?.beamlines ?? []) {
      if (!bl.beamline) continue;
      const el = document.createElement('span');
      el.textContent = bl.id;
      host.appendChild(el);
      labelEls.push({ el, p: new THREE.Vector3(...bl.end) });
    }
  }
  const w = canvas.clientWidth, h = canvas.clientHeight;
  for (const { el, p } of labelEls) {
    _p.copy(p).project(camera);
    const visible = _p.z < 1;
    el.style.display = visible ? '' : 'none';
    el.style.left = `${((_p.x + 1) / 2) * w}px`;
    el.style.top = `${((1 - _p.y) / 2) * h}px`;
  }
}

function applyOverlay() {
  if (!facility || !bundle) return;
  const what = $<HTMLSelectElement>('overlay').value;
  facility.colourBeamlines(what === 'class' ? null : overlayValues(bundle, what));
}

function openPanel(portId: string) {
  if (!bundle) return;
  const { title, rows } = beamlinePanelRows(bundle, portId);
  const panel = $('beamline-panel');
  panel.hidden = false;
  panel.dataset.beamline = portId;
  panel.innerHTML = `<h3>${title} <button type="button" id="panel-close">✕</button></h3><table>${rows
    .map((r) => `<tr data-key="${r.key}" data-value="${r.value}"><th>${r.label}</th><td>${fmt(r.value)}${r.unit ? ` ${r.unit}` : ''}</td></tr>`)
    .join('')}</table>`;
  $('panel-close').onclick = () => { panel.hidden = true; };
}

// Picking: a click on a beamline pipe or hutch opens its panel.
const ray = new THREE.Raycaster();
const ndc = new THREE.Vector2();
canvas.addEventListener('click', (ev) => {
  if (!facility) return;
  const r = canvas.getBoundingClientRect();
  ndc.set(((ev.clientX - r.left) / r.width) * 2 - 1, -((ev.clientY - r.top) / r.height) * 2 + 1);
  ray.setFromCamera(ndc, camera);
  const hit = ray.intersectObjects(facility.beamlineMeshes, false)[0];
  if (hit) openPanel(hit.object.userData.beamline as string);
});

/** Screen position of a beamline's pipe centre (used by the tests to click it like a person). */
(window as any).__screenOf = (portId: string) => {
  const mesh = facility?.beamlineMeshes.find((m) => m.name === `beamline-${portId}`);
  if (!mesh) return null;
  _p.copy(mesh.position).project(camera);
  const r = canvas.getBoundingClientRect();
  return { x: r.left + ((_p.x + 1) / 2) * r.width, y: r.top + ((1 - _p.y) / 2) * r.height };
};
(window as any).__openPanel = openPanel;

function plot(host: HTMLElement, title: string, data: uPlot.AlignedData, series: uPlot.Series[], xLabel: string) {
  host.innerHTML = '';
  if (!data[0] || (data[0] as ArrayLike<number>).length === 0) {
    host.textContent = `${title}: not in this scenario's bundle`;
    return;
  }
  new uPlot({ width: 400, height: 170, scales: { x: { time: false } }, series: [{ label: xLabel }, ...series], axes: [{ label: xLabel }, {}], legend: { show: true } }, data, host);
}

function drawPlots() {
  const s = (bundle?.sections ?? {}) as Record<string, any>;
  const tw = s.optics?.twiss;
  plot($('plot-optics'), 'optics',
    tw ? [tw.s, tw.betaX, tw.betaY, tw.etaX.map((v: number) => v * 10)] : [[]],
    [{ label: 'βx [m]', stroke: '#d83a34' }, { label: 'βy [m]', stroke: '#2f6fdf' }, { label: '10·ηx [m]', stroke: '#3aa657' }], 's [m]');
  const tl = s.topup?.timeline;
  plot($('plot-topup'), 'top-up', tl ? [tl.t.map((t: number) => t / 3600), tl.currentMA] : [[]], [{ label: 'I [mA]', stroke: '#e0a020' }], 't [h]');
  const cap = s.capacity?.beamlines as any[] | undefined;
  if (cap?.length) {
    const xs = cap.map((_, i) => i);
    plot($('plot-capacity'), 'capacity', [xs, cap.map((c) => c.hoursSupplied), cap.map((c) => c.hoursRequested)],
      [{ label: 'supplied [h]', stroke: '#3aa657' }, { label: 'demanded [h]', stroke: '#d83a34' }], 'beamline #');
  } else plot($('plot-capacity'), 'capacity', [[]], [], '');
}

async function compare() {
  const panel = $('diff-panel');
  const file = $<HTMLSelectElement>('compare').value;
  if (!file || !bundle) { panel.hidden = true; return; }
  const other = await fetchJson<BundleLike>(`bundles/${file}`);
  const rows = diffRows(bundle, other);
  panel.hidden = false;
  panel.innerHTML = `<h3>Differences (${rows.length})</h3><table><tr><th>quantity</th><th>this</th><th>${file}</th></tr>${rows
    .slice(0, 60).map((r) => `<tr class="changed"><td>${r.key}</td><td>${fmt(r.a)}</td><td>${fmt(r.b)}</td></tr>`).join('')}</table>`;
}

// Tour controls (keyboard: → next, ← previous, space pause, Esc exit).
function showCaption() {
  if (!tour) return;
  const cap = $('caption');
  cap.hidden = false;
  $('caption-ja').textContent = tour.current.captionJa;
  $('caption-en').textContent = tour.current.captionEn;
  $('tour-step').textContent = `${tour.index + 1} / ${tour.stops.length}`;
  cap.dataset.stop = tour.current.id;
}
$('tour-start').onclick = () => { tour?.start(); showCaption(); };
$('tour-next').onclick = () => { tour?.next(); showCaption(); };
$('tour-prev').onclick = () => { tour?.previous(); showCaption(); };
$('tour-pause').onclick = () => { if (tour) { tour.playing ? tour.pause() : tour.resume(); } };
$('tour-exit').onclick = () => { tour?.pause(); $('caption').hidden = true; };
window.addEventListener('keydown', (ev) => {
  if ($('caption').hidden || !tour) return;
  if (ev.key === 'ArrowRight') { tour.next(); showCaption(); }
  else if (ev.key === 'ArrowLeft') { tour.previous(); showCaption(); }
  else if (ev.key === ' ') { tour.playing ? tour.pause() : tour.resume(); ev.preventDefault(); }
  else if (ev.key === 'Escape') $('tour-exit').click();
});
$<HTMLSelectElement>('overlay').onchange = applyOverlay;
$<HTMLSelectElement>('compare').onchange = () => void compare();
$<HTMLSelectElement>('scenario').onchange = (ev) => void loadScenario((ev.target as HTMLSelectElement).value);

// The library in a Web Worker: the RF slider recomputes the optics there (never on this thread).
const physics = new Worker(new URL('./physics.worker.ts', import.meta.url), { type: 'module' });
const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
let nextId = 1;
physics.onmessage = (ev: MessageEvent<PhysicsReply>) => {
  const p = pending.get(ev.data.id);
  if (!p) return;
  pending.delete(ev.data.id);
  if (ev.data.ok) p.resolve(ev.data.result);
  else p.reject(new Error(ev.data.error));
};
physics.onerror = (ev) => { status.textContent = `physics worker: ${ev.message}`; };
function askPhysics<T>(msg: PhysicsRequest): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    physics.postMessage({ id, msg });
  });
}
/** Sends one message to the physics worker (the tests use it to track particles in the browser). */
(window as any).__physics = askPhysics;

const rfSlider = $<HTMLInputElement>('rf-voltage');
const rfPanel = $('rf-panel');
let rfAsked = 0;
async function updateRf() {
  const mv = Number(rfSlider.value);
  const ticket = ++rfAsked;
  $('rf-voltage-out').textContent = `${mv.toFixed(2)} MV`;
  rfPanel.dataset.busy = '';
  try {
    const a = await askPhysics<RfAnswer>({ kind: 'rf', rfVoltageMV: mv });
    if (ticket !== rfAsked) return; // a newer request is on its way
    const rows: [string, string, number, string][] = [
      ['bunchLengthM', 'σz', a.bunchLengthM * 1e3, 'mm'],
      ['energyAcceptance', 'RF acceptance', a.energyAcceptance * 100, '%'],
      ['synchrotronTune', 'νs', a.synchrotronTune, ''],
      ['energyLossPerTurnEV', 'U0', a.energyLossPerTurnEV / 1e3, 'keV'],
      ['synchronousPhaseRad', 'φs', (a.synchronousPhaseRad * 180) / Math.PI, '°'],
    ];
    $('rf-panel-voltage').textContent = mv.toFixed(2);
    rfPanel.querySelector('table')!.innerHTML = rows
      .map(([key, label, shown, unit]) => `<tr data-key="${key}" data-value="${String(a[key as keyof RfAnswer])}"><th>${label}</th><td>${fmt(shown)}${unit ? ` ${unit}` : ''}</td></tr>`)
      .join('');
    rfPanel.dataset.voltageMv = String(mv);
    delete rfPanel.dataset.busy;
  } catch (err) {
    if (ticket !== rfAsked) return;
    rfPanel.querySelector('table')!.innerHTML = `<tr><td>${(err as Error).message}</td></tr>`;
    delete rfPanel.dataset.busy;
  }
}
let rfTimer: ReturnType<typeof setTimeout> | undefined;
rfSlider.addEventListener('input', () => {
  $('rf-voltage-out').textContent = `${Number(rfSlider.value).toFixed(2)} MV`;
  clearTimeout(rfTimer);
  rfTimer = setTimeout(() => void updateRf(), 150);
});
void updateRf();

let last = performance.now();
let animT = 0;
function frame(now: number) {
  const dt = Math.min(0.1, (now - last) / 1000);
  last = now;
  resize();
  if (!reduced.checked) animT += dt;
  facility?.animate(animT);
  if (tour && !$('caption').hidden) {
    const before = tour.index;
    tour.tick(dt, reduced.checked);
    if (tour.index !== before) showCaption();
    const pose = tour.pose();
    camera.position.set(...pose.eye);
    controls.target.set(...pose.target);
  }
  controls.update();
  renderer.render(scene, camera);
  drawLabels();
  requestAnimationFrame(frame);
}

async function boot() {
  try {
    const index = await fetchJson<BundleIndex>('bundles/index.json');
    for (const sel of ['scenario', 'compare'] as const) {
      for (const s of index.scenarios) {
        const o = document.createElement('option');
        o.value = s.file; o.textContent = s.name;
        $<HTMLSelectElement>(sel).appendChild(o);
      }
    }
    await loadScenario(index.scenarios[0].file);
  } catch (err) {
    status.textContent = String((err as Error).message);
    console.warn(err);
  }
  requestAnimationFrame(frame);
}
void boot();
