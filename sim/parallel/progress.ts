/**
 * Progress bar on stderr for long tracking runs: particle-turns done, rate and time left. On a TTY
 * the bar is redrawn in place; otherwise (CI logs) one line is printed every ~10 %. Reporting reads
 * shared counters only, so it cannot change any result.
 */
export interface ProgressSink {
  update(done: number): void;
  finish(done: number, note?: string): void;
}

export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '--';
  if (s < 60) return `${s.toFixed(0)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

export class ProgressBar implements ProgressSink {
  private readonly t0 = Date.now();
  private lastDecile = -1;
  constructor(
    private readonly total: number,
    private readonly label = 'tracking',
    private readonly stream: ProgressStream = process.stderr,
    private readonly tty = Boolean(stream.isTTY),
  ) {}

  private line(done: number): string {
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const el = (Date.now() - this.t0) / 1000;
    const rate = el > 0 ? done / el : 0;
    const left = rate > 0 ? (this.total - done) / rate : Infinity;
    const width = 30;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
    return `${this.label} [${bar}] ${(frac * 100).toFixed(0).padStart(3)} % ${done.toExponential(2)}/${this.total.toExponential(2)} particle-turns, ${rate.toExponential(2)}/s, ${fmtTime(left)} left`;
  }

  update(done: number): void {
    if (this.tty) {
      this.stream.write(`\r${this.line(done)}`);
      return;
    }
    const decile = Math.floor((10 * done) / Math.max(1, this.total));
    if (decile > this.lastDecile && decile < 10) {
      this.lastDecile = decile;
      this.stream.write(`${this.line(done)}\n`);
    }
  }

  finish(done: number, note = ''): void {
    const el = (Date.now() - this.t0) / 1000;
    const msg = `${this.label}: ${done.toExponential(2)} particle-turns in ${el.toFixed(1)} s${note ? ` (${note})` : ''}`;
    this.stream.write(this.tty ? `\r${msg}\x1b[K\n` : `${msg}\n`);
  }
}
