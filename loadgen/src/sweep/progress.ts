// The progress line on stderr: point n/N, its parameters, the phase, elapsed time and ETA.
// On a terminal it redraws in place; otherwise it prints one line per point.
import { formatDuration } from '../experiment/units.js';

export class Progress {
  private readonly tty: boolean;
  private readonly started = Date.now();
  private line = '';
  private timer: NodeJS.Timeout | undefined;
  private current = { n: 0, total: 0, text: '', phase: '', etaS: 0, pointStarted: 0 };

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.tty = Boolean(stream.isTTY);
  }

  point(n: number, total: number, text: string, etaS: number): void {
    this.current = { n, total, text, phase: 'starting', etaS, pointStarted: Date.now() };
    if (this.tty) {
      this.timer ??= setInterval(() => this.draw(), 250);
      this.timer.unref();
      this.draw();
    } else {
      this.stream.write(`[${n}/${total}] ${text}  (ETA ${formatDuration(etaS)})\n`);
    }
  }

  phase(phase: string): void {
    this.current.phase = phase;
    if (this.tty) this.draw();
  }

  /** a line that stays (a finished point), printed above the progress line */
  note(text: string): void {
    if (this.tty) this.clear();
    this.stream.write(`${text}\n`);
    if (this.tty && this.timer) this.draw();
  }

  finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.tty) this.clear();
  }

  private clear(): void {
    if (this.line) this.stream.write(`\r${' '.repeat(this.line.length)}\r`);
    this.line = '';
  }

  private draw(): void {
    const c = this.current;
    const width = 20;
    const filled = Math.round((width * (c.n - 1)) / Math.max(1, c.total));
    const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
    const eta = Math.max(0, c.etaS - (Date.now() - c.pointStarted) / 1000);
    const line = `[${bar}] ${c.n}/${c.total} ${c.text} · ${c.phase} · elapsed ${formatDuration((Date.now() - this.started) / 1000)} · ETA ${formatDuration(eta)}`;
    const cols = this.stream.columns ?? 120;
    const shown = line.length > cols - 1 ? line.slice(0, cols - 1) : line;
    this.clear();
    this.stream.write(shown);
    this.line = shown;
  }
}
