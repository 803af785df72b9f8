/**
 * The guided walkthrough for visitors: electron source → linac → ring → an undulator → a beamline →
 * an experiment. Pure data plus a small controller with its own clock (the view interpolates the
 * camera between stops at 60 fps; the tour knows nothing of rendering). Captions in Japanese and
 * English; the numbers quoted are the published ones (shared/reference/nanoterasu.md).
 */
import { beamlinePlacements, linacLayout, ringExtent, straights, type BundleLike, type CatalogueLike } from '../scene/layout.ts';

export interface TourStop {
  id: string;
  /** Camera position and the point it looks at [m], floor frame. */
  eye: [number, number, number];
  target: [number, number, number];
  captionJa: string;
  captionEn: string;
  /** Seconds spent at the stop before moving on (when playing). */
  dwellS: number;
}

export function buildTour(b: BundleLike, cat?: CatalogueLike): TourStop[] {
  const linac = linacLayout(b);
  const ring = ringExtent(b);
  const st = straights(b);
  const lines = cat ? beamlinePlacements(b, cat) : [];
  const bl = lines.find((l) => l.beamline === 'BL02U') ?? lines.find((l) => l.beamline) ?? undefined;
  const port = bl ? cat?.ports.find((p) => p.id === bl.id) : undefined;
  const ls = port ? st.find((s) => s.cell === port.cell && s.kind === port.straight) : st.find((s) => s.kind === 'long');
  const up = (p: [number, number, number], h: number, dx = 0, dz = 0): [number, number, number] => [p[0] + dx, p[1] + h, p[2] + dz];
  const stops: TourStop[] = [
    {
      id: 'gun',
      eye: up(linac.start, 6, -8, -8), target: linac.start,
      captionJa: '電子銃：熱カソードから約100億個の電子の塊（1.6 nC）を取り出します。',
      captionEn: 'Electron gun: a thermionic cathode releases bunches of about ten billion electrons (1.6 nC).',
      dwellS: 5,
    },
    {
      id: 'linac',
      eye: up(mid(linac.start, linac.end), 25, 30, 0), target: mid(linac.start, linac.end),
      captionJa: '全長110 mのCバンド線形加速器が電子を3 GeVまで加速します（加速管40本）。',
      captionEn: 'The 110 m C-band linac accelerates the electrons to 3 GeV in 40 accelerating structures.',
      dwellS: 6,
    },
    {
      id: 'ring',
      eye: up(ring.centre, ring.radiusM * 1.6, 0, -ring.radiusM * 0.4), target: ring.centre,
      captionJa: '周長349 mの蓄積リング：4ベンドアクロマット16セル、自然エミッタンス1.14 nm rad。',
      captionEn: 'The 349 m storage ring: 16 four-bend-achromat cells, natural emittance 1.14 nm rad.',
      dwellS: 6,
    },
  ];
  if (ls) {
    stops.push({
      id: 'undulator',
      eye: up(ls.centre, 3, 6 * Math.cos(ls.yawRad), -6 * Math.sin(ls.yawRad)), target: ls.centre,
      captionJa: 'アンジュレータ：周期的な磁場で電子を蛇行させ、明るく揃った放射光を生み出します。',
      captionEn: 'An undulator: a periodic magnetic field wiggles the electrons and makes bright, nearly coherent light.',
      dwellS: 5,
    });
  }
  if (bl) {
    stops.push({
      id: 'beamline',
      eye: up(mid(bl.start, bl.end), 15, 10, 10), target: mid(bl.start, bl.end),
      captionJa: `ビームライン ${bl.beamline}：光は鏡と分光器を通って実験ハッチへ届きます。`,
      captionEn: `Beamline ${bl.beamline}: the light passes mirrors and a monochromator on its way to the experiment hutch.`,
      dwellS: 5,
    });
    const station = bl.stations[0];
    if (station) {
      stops.push({
        id: 'experiment',
        eye: up(station.centre, 5, 6, 6), target: station.centre,
        captionJa: '実験ステーション：試料に光を当て、物質の電子状態や構造を調べます。',
        captionEn: 'The experiment station: the light meets the sample to reveal its electronic states and structure.',
        dwellS: 6,
      });
    }
  }
  return stops;
}

function mid(a: [number, number, number], b: [number, number, number]): [number, number, number] {
  return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2];
}

/** Tour controller: which stop, how far into the move, paused or playing. Advances with `tick(dt)`. */
export class TourController {
  index = 0;
  /** Fraction of the move from the previous stop to the current one (1 = arrived). */
  progress = 1;
  playing = false;
  private dwell = 0;
  constructor(readonly stops: TourStop[], readonly moveS = 3) {}
  start(): this { this.index = 0; this.progress = 1; this.dwell = 0; this.playing = true; return this; }
  pause(): this { this.playing = false; return this; }
  resume(): this { this.playing = true; return this; }
  next(): this { return this.goTo(Math.min(this.index + 1, this.stops.length - 1)); }
  previous(): this { return this.goTo(Math.max(this.index - 1, 0)); }
  goTo(i: number): this {
    if (i !== this.index) { this.index = i; this.progress = 0; this.dwell = 0; }
    return this;
  }
  get current(): TourStop { return this.stops[this.index]; }
  get finished(): boolean { return this.index === this.stops.length - 1 && this.progress >= 1 && this.dwell >= this.current.dwellS; }
  /** Advances the tour clock by dt seconds; reducedMotion jumps instead of flying. */
  tick(dtS: number, reducedMotion = false): this {
    if (this.progress < 1) {
      this.progress = reducedMotion ? 1 : Math.min(1, this.progress + dtS / this.moveS);
      return this;
    }
    if (!this.playing) return this;
    this.dwell += dtS;
    if (this.dwell >= this.current.dwellS && this.index < this.stops.length - 1) this.next();
    return this;
  }
  /** Camera pose now (eased between the previous and the current stop). */
  pose(): { eye: [number, number, number]; target: [number, number, number] } {
    const cur = this.current;
    const prev = this.stops[Math.max(0, this.index - 1)];
    if (this.progress >= 1 || this.index === 0) return { eye: cur.eye, target: cur.target };
    const u = this.progress * this.progress * (3 - 2 * this.progress);
    const lerp = (a: number[], b: number[]) => a.map((v, k) => v + (b[k] - v) * u) as [number, number, number];
    return { eye: lerp(prev.eye, cur.eye), target: lerp(prev.target, cur.target) };
  }
}
