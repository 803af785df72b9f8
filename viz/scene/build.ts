/**
 * Three.js objects from the layout (scene/layout.ts). Garbage-free per frame: meshes are built once,
 * magnets of one type share one InstancedMesh, and the bunch animation writes into a preallocated
 * instance matrix buffer.
 */
import * as THREE from 'three';
import {
  alongPath, beamlinePlacements, envelopeLines, undulatorPlacements, linacLayout, magnetPlacements, ringExtent, shotsInFlight, straights, floorAt,
  type BundleLike, type CatalogueLike, type BeamlinePlacement,
} from './layout.ts';

export interface FacilityScene {
  root: THREE.Group;
  /** Pickable beamline objects, each with userData.beamline = port id. */
  beamlineMeshes: THREE.Mesh[];
  beamlines: BeamlinePlacement[];
  /** Moves the bunches to time t [s of animation]. */
  animate(tS: number): void;
  /** Colours each beamline by a value in [0, 1] (null = default colours by class). */
  colourBeamlines(values: Record<string, number> | null): void;
  counts: { magnets: Record<string, number>; beamlines: number; builtBeamlines: number };
  /** What the scaled drawings mean (shown in the legend). */
  notes: string[];
}

/** Envelope scales: σx ≈ 0.1 mm and σy ≈ 5 µm at NanoTerasu, drawn 2000× and 20000× larger. */
export const ENVELOPE_SCALE = { x: 2000, y: 20000 } as const;
/** Top-up shots: the animation runs 30× faster than the machine. */
export const TOPUP_TIME_LAPSE = 30;

const CLASS_COLOURS = { public: 0x3d8bfd, coalition: 0xf28c28, empty: 0x666666 } as const;
const _m = new THREE.Matrix4();
const _q = new THREE.Quaternion();
const _v = new THREE.Vector3();
const _s = new THREE.Vector3(1, 1, 1);
const _up = new THREE.Vector3(0, 1, 0);

export function buildFacility(b: BundleLike, cat?: CatalogueLike): FacilityScene {
  const root = new THREE.Group();
  const { centre, radiusM } = ringExtent(b);

  // Experiment hall floor.
  const floor = new THREE.Mesh(
    new THREE.CircleGeometry(radiusM + 85, 96),
    new THREE.MeshStandardMaterial({ color: 0xdedad2, roughness: 0.95 }),
  );
  floor.rotation.x = -Math.PI / 2;
  floor.position.set(centre[0], -0.6, centre[2]);
  floor.name = 'hall-floor';
  root.add(floor);

  // Ring tunnel (a flat annulus) and the reference orbit.
  const orbitPts: THREE.Vector3[] = [];
  const n = b.survey.points.s.length;
  for (let i = 0; i < n; i++) orbitPts.push(new THREE.Vector3(b.survey.points.x[i], b.survey.points.y[i], b.survey.points.z[i]));
  const orbit = new THREE.Line(new THREE.BufferGeometry().setFromPoints(orbitPts), new THREE.LineBasicMaterial({ color: 0x222222 }));
  orbit.name = 'orbit';
  root.add(orbit);
  const tunnel = new THREE.Mesh(
    new THREE.RingGeometry(radiusM - 3, radiusM + 4, 128),
    new THREE.MeshStandardMaterial({ color: 0xb8b4aa, roughness: 1 }),
  );
  tunnel.rotation.x = -Math.PI / 2;
  tunnel.position.set(centre[0], -0.55, centre[2]);
  root.add(tunnel);

  // Magnets, one InstancedMesh per type, at their real length and position; the beamlines'
  // insertion devices (from the catalogue) in their straights.
  const mags = [...magnetPlacements(b), ...(cat ? undulatorPlacements(b, cat) : [])];
  const byType = new Map<string, typeof mags>();
  for (const m of mags) (byType.get(m.type) ?? byType.set(m.type, []).get(m.type)!).push(m);
  const magnetCounts: Record<string, number> = {};
  for (const [type, list] of byType) {
    const geo = new THREE.BoxGeometry(1, 1, 1);
    const mat = new THREE.MeshStandardMaterial({ color: list[0].colour, roughness: 0.5, metalness: 0.2 });
    const inst = new THREE.InstancedMesh(geo, mat, list.length);
    inst.name = `magnets-${type}`;
    list.forEach((m, i) => {
      _q.setFromAxisAngle(_up, m.yawRad);
      _v.set(m.centre[0], m.centre[1], m.centre[2]);
      _s.set(m.sizeM[0], m.sizeM[1], m.lengthM);
      _m.compose(_v, _q, _s);
      inst.setMatrixAt(i, _m);
    });
    _s.set(1, 1, 1);
    magnetCounts[type] = list.length;
    root.add(inst);
  }

  // Beamlines: a pipe from the straight along the tangent, a hutch per station.
  const beamlines = cat ? beamlinePlacements(b, cat) : [];
  const beamlineMeshes: THREE.Mesh[] = [];
  for (const bl of beamlines) {
    const start = new THREE.Vector3(...bl.start), end = new THREE.Vector3(...bl.end);
    const len = start.distanceTo(end);
    const pipe = new THREE.Mesh(
      new THREE.CylinderGeometry(bl.beamline ? 0.4 : 0.2, bl.beamline ? 0.4 : 0.2, len, 10),
      new THREE.MeshStandardMaterial({ color: CLASS_COLOURS[bl.cls], transparent: !bl.beamline, opacity: bl.beamline ? 1 : 0.45 }),
    );
    pipe.position.copy(start).lerp(end, 0.5);
    pipe.quaternion.setFromUnitVectors(_up, end.clone().sub(start).normalize());
    pipe.userData = { beamline: bl.id, built: bl.beamline !== null };
    pipe.name = `beamline-${bl.id}`;
    root.add(pipe);
    beamlineMeshes.push(pipe);
    for (const st of bl.stations) {
      const hutch = new THREE.Mesh(
        new THREE.BoxGeometry(4, 3, 8),
        new THREE.MeshStandardMaterial({ color: 0xf4f1ea, roughness: 0.8 }),
      );
      hutch.position.set(st.centre[0], 1.0, st.centre[2]);
      hutch.rotation.y = st.yawRad;
      hutch.userData = { beamline: bl.id, station: st.name };
      hutch.name = `hutch-${bl.id}-${st.name}`;
      root.add(hutch);
      beamlineMeshes.push(hutch);
    }
  }

  // Linac and transfer line.
  const lin = linacLayout(b);
  const ls = new THREE.Vector3(...lin.start), le = new THREE.Vector3(...lin.end);
  const linac = new THREE.Mesh(
    new THREE.BoxGeometry(2.5, 2.2, ls.distanceTo(le)),
    new THREE.MeshStandardMaterial({ color: 0x8fb3d9, roughness: 0.6 }),
  );
  linac.position.copy(ls).lerp(le, 0.5);
  linac.position.y = 0.5;
  linac.rotation.y = Math.atan2(le.x - ls.x, le.z - ls.z);
  linac.name = 'linac';
  root.add(linac);
  const tl = new THREE.Line(
    new THREE.BufferGeometry().setFromPoints(lin.transfer.map((p) => new THREE.Vector3(...p))),
    new THREE.LineBasicMaterial({ color: 0x3366aa }),
  );
  tl.name = 'transfer-line';
  root.add(tl);

  // Bunches: a train of glowing points running around the ring (animation only; the real bucket
  // spacing 0.589 m is far below what the eye can follow, so the train is drawn scaled).
  const nBunches = 48;
  const bunchGeo = new THREE.SphereGeometry(0.35, 8, 6);
  const bunches = new THREE.InstancedMesh(bunchGeo, new THREE.MeshBasicMaterial({ color: 0x33e0ff }), nBunches);
  bunches.name = 'bunches';
  root.add(bunches);
  const C = b.survey.points.s[n - 1];
  const animate = (tS: number) => {
    const speed = C / 12; // one turn in 12 s of animation (scaled; the real turn takes 1.16 µs)
    for (let k = 0; k < nBunches; k++) {
      const f = floorAt(b, tS * speed + (k * C) / nBunches);
      _v.set(f.p[0], f.p[1], f.p[2]);
      _m.makeTranslation(_v.x, _v.y, _v.z);
      bunches.setMatrixAt(k, _m);
    }
    bunches.instanceMatrix.needsUpdate = true;
    if (shotsPerHour) {
      const flying = shotsInFlight(tS, shotsPerHour, TOPUP_TIME_LAPSE, 2.5);
      shots.count = flying.length;
      flying.forEach((u, k) => {
        const p = alongPath(shotPath, u);
        _m.makeTranslation(p[0], p[1], p[2]);
        shots.setMatrixAt(k, _m);
      });
      shots.instanceMatrix.needsUpdate = true;
    }
  };

  const notes: string[] = ['bunch train drawn scaled (one turn in 12 s)'];
  // Beam envelope (optics section's σx, σy), scaled.
  const optics = (b.sections as Record<string, any> | undefined)?.optics;
  if (optics?.twiss?.s && optics.beamSize?.sigmaXM) {
    const env = envelopeLines(b, optics.twiss.s, optics.beamSize.sigmaXM, optics.beamSize.sigmaYM, ENVELOPE_SCALE.x, ENVELOPE_SCALE.y);
    const mk = (pts: [number, number, number][], colour: number, name: string) => {
      const l = new THREE.Line(new THREE.BufferGeometry().setFromPoints(pts.map((p) => new THREE.Vector3(...p))), new THREE.LineBasicMaterial({ color: colour }));
      l.name = name;
      root.add(l);
    };
    mk(env.outer, 0xff7a00, 'envelope-x+'); mk(env.inner, 0xff7a00, 'envelope-x-');
    mk(env.upper, 0x9b30ff, 'envelope-y+'); mk(env.lower, 0x9b30ff, 'envelope-y-');
    notes.push(`beam envelope ±σx × ${ENVELOPE_SCALE.x} (orange), ±σy × ${ENVELOPE_SCALE.y} (violet), coupling ${(optics.beamSize.coupling * 100).toFixed(1)} %`);
  }
  // Top-up shots from the linac (rate from the top-up section), in time-lapse.
  const shotsPerHour = (b.sections as Record<string, any> | undefined)?.topup?.summary?.shotsPerHour as number | undefined;
  const shotPath: [number, number, number][] = [lin.start, lin.end, ...lin.transfer.slice(1)].map((p) => [p[0], 0.8, p[2]] as [number, number, number]);
  const shots = new THREE.InstancedMesh(new THREE.SphereGeometry(0.9, 10, 8), new THREE.MeshBasicMaterial({ color: 0xffe14d }), 8);
  shots.name = 'topup-shots';
  shots.count = 0;
  root.add(shots);
  if (shotsPerHour) notes.push(`top-up shots from the linac: ${shotsPerHour.toFixed(0)} per hour, time-lapse × ${TOPUP_TIME_LAPSE}`);

  animate(0);

  // Straight labels are drawn by the DOM overlay (main.ts); keep their anchors here.
  root.userData.straights = straights(b);

  const colourBeamlines = (values: Record<string, number> | null) => {
    for (const mesh of beamlineMeshes) {
      if (mesh.name.startsWith('hutch-')) continue;
      const id = mesh.userData.beamline as string;
      const bl = beamlines.find((x) => x.id === id)!;
      const mat = mesh.material as THREE.MeshStandardMaterial;
      if (values && values[bl.beamline ?? ''] !== undefined) {
        const v = Math.max(0, Math.min(1, values[bl.beamline!]));
        mat.color.setHSL((1 - v) * 0.33, 0.85, 0.5); // green (0) → red (1)
      } else {
        mat.color.setHex(CLASS_COLOURS[bl.cls]);
      }
    }
  };

  return {
    root, beamlineMeshes, beamlines, animate, colourBeamlines, notes,
    counts: { magnets: magnetCounts, beamlines: beamlines.length, builtBeamlines: beamlines.filter((x) => x.beamline).length },
  };
}
