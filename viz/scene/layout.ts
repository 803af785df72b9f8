/**
 * Scene layout: where every object of the facility stands, computed from a results bundle
 * (`nanoterasu-results/1`, written by `npx nanoterasu run`, see sim/scenario/run.ts). Pure data, no
 * Three.js and no physics: positions come from the lattice survey in the bundle, so the view shows
 * the same machine the CLI computed. Unit-tested in Node (test/viz/layout.test.ts).
 *
 * Coordinates: the survey's floor frame (MAD-X SURVEY: X horizontal, Y up, Z horizontal) in metres,
 * which is also the Three.js world frame of the view.
 */

/** The part of a results bundle the layout reads. */
export interface BundleLike {
  scenario?: { name?: string };
  lattice?: { name?: string; circumferenceM?: number };
  survey: {
    points: { s: number[]; x: number[]; y: number[]; z: number[]; theta: number[] };
    elements: { name: string; type: string; sM: number; lengthM: number; angleRad?: number; k1?: number; k2?: number }[];
  };
  sections?: Record<string, unknown>;
}

export interface MagnetPlacement {
  name: string;
  type: string;
  /** Centre of the element on the reference orbit [m]. */
  centre: [number, number, number];
  /** Azimuth of the beam direction at the centre [rad] (rotation about the vertical). */
  yawRad: number;
  lengthM: number;
  /** Cross-section of the drawn box [m] (width, height): a magnet's yoke, a cavity's body. */
  sizeM: [number, number];
  colour: number;
  sM: number;
}

export interface StraightMark {
  name: string;
  kind: 'long' | 'short';
  cell: number;
  sM: number;
  centre: [number, number, number];
  yawRad: number;
  /** Unit vector along the beam at the straight centre. */
  tangent: [number, number, number];
}

export interface BeamlinePlacement {
  /** Port id (BL02U, ...). */
  id: string;
  /** Beamline id on the port, or null for an empty port. */
  beamline: string | null;
  cls: 'public' | 'coalition' | 'empty';
  start: [number, number, number];
  end: [number, number, number];
  /** Hutches along the line (one per station; branches fan out). */
  stations: { name: string; centre: [number, number, number]; yawRad: number }[];
}

/** Colours by element type (the legend of the view). */
export const TYPE_COLOURS: Record<string, number> = {
  sbend: 0x2f6fdf,
  rbend: 0x2f6fdf,
  quadrupole: 0xd83a34,
  sextupole: 0x3aa657,
  octupole: 0x9a6ad6,
  rfcavity: 0xe0a020,
  undulator: 0xb040c0,
  kicker: 0x808080,
  hkicker: 0x808080,
  vkicker: 0x808080,
  multipole: 0x8aa0a0,
};

const SIZES: Record<string, [number, number]> = {
  sbend: [0.5, 0.45],
  rbend: [0.5, 0.45],
  quadrupole: [0.55, 0.55],
  sextupole: [0.5, 0.5],
  octupole: [0.45, 0.45],
  rfcavity: [0.9, 0.9],
  undulator: [0.35, 0.6],
  kicker: [0.3, 0.3],
  hkicker: [0.3, 0.3],
  vkicker: [0.3, 0.3],
};

/** Floor position and azimuth at path length s: exact on the arc of a bend, linear elsewhere. */
export function floorAt(b: BundleLike, sM: number): { p: [number, number, number]; yawRad: number; tangent: [number, number, number] } {
  const { s, x, y, z, theta } = b.survey.points;
  const n = s.length;
  const total = s[n - 1];
  const uS = ((sM % total) + total) % total;
  let lo = 0, hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (s[mid] <= uS) lo = mid; else hi = mid;
  }
  const ds = s[hi] - s[lo];
  const u = Math.min(Math.max(uS - s[lo], 0), ds);
  const el = b.survey.elements[lo];
  const angle = el?.angleRad ?? 0;
  if (angle !== 0 && ds > 0) {
    // Exact arc inside a bend (MAD-X survey: local R = (ρ(cos a − 1), 0, ρ sin a), yaw θ − a).
    const rho = ds / angle, a = (angle * u) / ds, th = theta[lo];
    const rx = rho * (Math.cos(a) - 1), rz = rho * Math.sin(a);
    const yaw = th - a;
    return {
      p: [x[lo] + Math.cos(th) * rx + Math.sin(th) * rz, y[lo], z[lo] - Math.sin(th) * rx + Math.cos(th) * rz],
      yawRad: yaw,
      tangent: [Math.sin(yaw), 0, Math.cos(yaw)],
    };
  }
  const f = ds > 0 ? u / ds : 0;
  const p: [number, number, number] = [
    x[lo] + f * (x[hi] - x[lo]),
    y[lo] + f * (y[hi] - y[lo]),
    z[lo] + f * (z[hi] - z[lo]),
  ];
  const yaw = theta[lo] + f * (theta[hi] - theta[lo]);
  // MAD-X survey: at θ = 0 the beam runs along +Z; θ rotates about +Y.
  return { p, yawRad: yaw, tangent: [Math.sin(yaw), 0, Math.cos(yaw)] };
}

/** Every element with a body (not drifts, markers, monitors), placed at its centre. */
export function magnetPlacements(b: BundleLike): MagnetPlacement[] {
  const out: MagnetPlacement[] = [];
  for (const e of b.survey.elements) {
    if (!(e.type in TYPE_COLOURS) || e.lengthM <= 0 && e.type !== 'multipole') continue;
    const mid = e.sM + e.lengthM / 2;
    const f = floorAt(b, mid);
    out.push({
      name: e.name, type: e.type, centre: f.p, yawRad: f.yawRad,
      lengthM: Math.max(e.lengthM, 0.05),
      sizeM: SIZES[e.type] ?? [0.3, 0.3],
      colour: TYPE_COLOURS[e.type], sM: e.sM,
    });
  }
  return out;
}

/** Straight-section centres: the markers LSnn and SSnn of the built-in ring. */
export function straights(b: BundleLike): StraightMark[] {
  const out: StraightMark[] = [];
  for (const e of b.survey.elements) {
    const m = /^(LS|SS)(\d\d)$/.exec(e.name);
    if (!m) continue;
    const f = floorAt(b, e.sM);
    out.push({
      name: e.name, kind: m[1] === 'LS' ? 'long' : 'short', cell: Number(m[2]), sM: e.sM,
      centre: f.p, yawRad: f.yawRad, tangent: f.tangent,
    });
  }
  return out;
}

/** The catalogue part of a bundle: ports and beamlines (sections.catalogue, see beamlines/catalogue). */
export interface CatalogueLike {
  ports: { id: string; cell: number; straight: 'long' | 'short'; beamline: string | null }[];
  beamlines: {
    id: string; class: 'public' | 'coalition'; stations: { name: string; concurrentWith?: string[] }[];
    device?: { name?: string; type?: string; periodM: number; periods: number };
  }[];
}

/**
 * The insertion device of every built beamline, centred in its straight with its magnetic length
 * (periods × period from the catalogue; the catalogue's devices are assumptions, see its files).
 */
export function undulatorPlacements(b: BundleLike, cat: CatalogueLike): MagnetPlacement[] {
  const st = straights(b);
  const out: MagnetPlacement[] = [];
  for (const port of cat.ports) {
    const bl = port.beamline ? cat.beamlines.find((x) => x.id === port.beamline) : undefined;
    const mark = st.find((s) => s.cell === port.cell && s.kind === port.straight);
    if (!bl?.device || !mark) continue;
    out.push({
      name: `${bl.id} ${bl.device.name ?? 'insertion device'}`, type: 'undulator', centre: mark.centre, yawRad: mark.yawRad,
      lengthM: bl.device.periodM * bl.device.periods, sizeM: SIZES.undulator, colour: TYPE_COLOURS.undulator, sM: mark.sM,
    });
  }
  return out;
}

/**
 * Photon beamlines run tangentially out of their straights (the undulator axis continued): the
 * line starts at the end of the straight and runs `lengthM` along the tangent. Stations sit at the end;
 * branch stations fan out by a small angle, as BL08W's branches do.
 */
export function beamlinePlacements(b: BundleLike, cat: CatalogueLike, lengthM = 60): BeamlinePlacement[] {
  const st = straights(b);
  const out: BeamlinePlacement[] = [];
  for (const port of cat.ports) {
    const mark = st.find((s) => s.cell === port.cell && s.kind === port.straight);
    if (!mark) continue;
    const bl = port.beamline ? cat.beamlines.find((x) => x.id === port.beamline) : undefined;
    const len = bl ? lengthM : lengthM * 0.35;
    const [tx, , tz] = mark.tangent;
    // the photon beamline starts at the downstream end of its straight (the front end), so that the
    // insertion device in the straight stays visible
    const half = port.straight === 'long' ? 2.72 : 1.26;
    const start: [number, number, number] = [mark.centre[0] + tx * half, mark.centre[1], mark.centre[2] + tz * half];
    const end: [number, number, number] = [start[0] + tx * len, start[1], start[2] + tz * len];
    const stations: BeamlinePlacement['stations'] = [];
    if (bl) {
      const k = bl.stations.length;
      bl.stations.forEach((s, i) => {
        const fan = (i - (k - 1) / 2) * 0.035; // rad between branches
        const yaw = mark.yawRad + fan;
        const r = len - 6 + i * 1.5;
        stations.push({
          name: s.name,
          centre: [start[0] + Math.sin(yaw) * r, start[1], start[2] + Math.cos(yaw) * r],
          yawRad: yaw,
        });
      });
    }
    out.push({ id: port.id, beamline: port.beamline, cls: bl ? bl.class : 'empty', start, end, stations });
  }
  return out;
}

/** Centre of the ring and its mean radius (for the hall floor and the camera). */
export function ringExtent(b: BundleLike): { centre: [number, number, number]; radiusM: number } {
  const { x, z } = b.survey.points;
  let cx = 0, cz = 0;
  for (let i = 0; i < x.length; i++) { cx += x[i]; cz += z[i]; }
  cx /= x.length; cz /= z.length;
  let r = 0;
  for (let i = 0; i < x.length; i++) r += Math.hypot(x[i] - cx, z[i] - cz);
  return { centre: [cx, 0, cz], radiusM: r / x.length };
}

/**
 * The 110 m C-band linac ([P] nanoterasu.md §3) and its transfer line: the linac runs parallel to
 * the tangent of the injection straight, outside the ring, and the transfer line joins the
 * injection point. The offsets are an illustration ([A]): the real building layout is not modelled.
 */
export function linacLayout(b: BundleLike, linacLengthM = 110): { start: [number, number, number]; end: [number, number, number]; transfer: [number, number, number][] } {
  const inj = b.survey.elements.find((e) => e.name === 'INJ');
  const sInj = inj ? inj.sM : 0;
  const f = floorAt(b, sInj);
  const { centre } = ringExtent(b);
  // Outward unit vector (from the ring centre to the injection point).
  let ox = f.p[0] - centre[0], oz = f.p[2] - centre[2];
  const on = Math.hypot(ox, oz) || 1; ox /= on; oz /= on;
  const off = 25; // [A] linac axis 25 m outside the injection straight
  const back = 30; // [A] linac end 30 m upstream of the injection point
  const [tx, , tz] = f.tangent;
  const end: [number, number, number] = [f.p[0] + ox * off - tx * back, 0, f.p[2] + oz * off - tz * back];
  const start: [number, number, number] = [end[0] - tx * linacLengthM, 0, end[2] - tz * linacLengthM];
  const transfer: [number, number, number][] = [];
  for (let i = 0; i <= 16; i++) {
    const u = i / 16;
    const w = u * u * (3 - 2 * u); // smooth step from the linac axis to the ring
    transfer.push([
      end[0] + tx * back * u - ox * off * w,
      0,
      end[2] + tz * back * u - oz * off * w,
    ]);
  }
  return { start, end, transfer };
}

/**
 * The beam envelope along the ring, drawn scaled: for every Twiss point the floor position of
 * ±σx·scaleX along the local horizontal (outward normal) and ±σy·scaleY vertically. σx, σy are the
 * optics section's beam sizes (sim/optics/section.ts); nothing is computed here but geometry.
 */
export function envelopeLines(
  b: BundleLike, s: readonly number[], sigmaX: readonly number[], sigmaY: readonly number[], scaleX: number, scaleY: number,
): { outer: [number, number, number][]; inner: [number, number, number][]; upper: [number, number, number][]; lower: [number, number, number][] } {
  const outer: [number, number, number][] = [], inner: typeof outer = [], upper: typeof outer = [], lower: typeof outer = [];
  for (let i = 0; i < s.length; i++) {
    const f = floorAt(b, s[i]);
    // local x axis of the MAD-X frame at azimuth θ: (cos θ, 0, −sin θ)
    const nx = Math.cos(f.yawRad), nz = -Math.sin(f.yawRad);
    const dx = sigmaX[i] * scaleX, dy = sigmaY[i] * scaleY;
    outer.push([f.p[0] + nx * dx, f.p[1], f.p[2] + nz * dx]);
    inner.push([f.p[0] - nx * dx, f.p[1], f.p[2] - nz * dx]);
    upper.push([f.p[0], f.p[1] + dy, f.p[2]]);
    lower.push([f.p[0], f.p[1] - dy, f.p[2]]);
  }
  return { outer, inner, upper, lower };
}

/** A polyline's point at fraction u ∈ [0, 1] of its length. */
export function alongPath(path: readonly [number, number, number][], u: number): [number, number, number] {
  let total = 0;
  const seg: number[] = [];
  for (let i = 1; i < path.length; i++) {
    const d = Math.hypot(path[i][0] - path[i - 1][0], path[i][1] - path[i - 1][1], path[i][2] - path[i - 1][2]);
    seg.push(d); total += d;
  }
  let want = Math.min(Math.max(u, 0), 1) * total;
  for (let i = 0; i < seg.length; i++) {
    if (want <= seg[i] || i === seg.length - 1) {
      const f = seg[i] > 0 ? Math.min(want / seg[i], 1) : 0;
      return [0, 1, 2].map((k) => path[i][k] + f * (path[i + 1][k] - path[i][k])) as [number, number, number];
    }
    want -= seg[i];
  }
  return path[path.length - 1];
}

/**
 * Top-up shots in time-lapse: shots leave the gun at `shotsPerHour` of machine time, the animation
 * running `timeLapse` times faster than the machine, and take `travelS` of animation to reach the
 * injection point. Returns the fractions along the gun → linac → transfer-line path of the shots in
 * flight at animation time t (at most `max`).
 */
export function shotsInFlight(tS: number, shotsPerHour: number, timeLapse: number, travelS: number, max = 8): number[] {
  if (!(shotsPerHour > 0)) return [];
  const period = 3600 / shotsPerHour / timeLapse; // animation seconds between shots
  const out: number[] = [];
  const last = Math.floor(tS / period);
  for (let k = last; k >= 0 && out.length < max; k--) {
    const age = tS - k * period;
    if (age > travelS) break;
    out.push(age / travelS);
  }
  return out;
}
