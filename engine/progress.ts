// Progress for people: on a terminal one line per running stage with a bar and an ETA, redrawn in place;
// off a terminal (CI, logs) plain timestamped lines: start, progress at most every few seconds, done, cached.

interface Running {
  label: string;
  start: number;
  fraction: number;
  message?: string;
  lastPrinted: number;
}

const fmtMs = (ms: number) => (ms < 1000 ? `${Math.round(ms)}ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60000)}m${Math.round((ms % 60000) / 1000)}s`);

export class ProgressReporter {
  private readonly running = new Map<string, Running>();
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly tty = !!process.stderr.isTTY && process.env.CI === undefined,
    private readonly plainEveryMs = 5000,
  ) {}

  private line(text: string): void {
    if (this.tty) this.clear();
    this.out.write(this.tty ? `${text}\n` : `${new Date().toISOString()} ${text}\n`);
    if (this.tty) this.draw();
  }

  start(label: string): void {
    this.running.set(label, { label, start: Date.now(), fraction: 0, lastPrinted: Date.now() });
    this.line(`start   ${label}`);
    if (this.tty && !this.timer) this.timer = setInterval(() => this.redraw(), 250);
  }

  progress(label: string, fraction: number, message?: string): void {
    const r = this.running.get(label);
    if (!r) return;
    r.fraction = fraction;
    r.message = message;
    if (!this.tty && Date.now() - r.lastPrinted >= this.plainEveryMs) {
      r.lastPrinted = Date.now();
      this.line(`progress ${label} ${(fraction * 100).toFixed(0)}%${message ? ` ${message}` : ''}${this.eta(r)}`);
    }
  }

  log(label: string, level: 'info' | 'warn', message: string): void {
    this.line(`${level === 'warn' ? 'warn' : 'log'}     ${label}: ${message}`);
  }

  done(label: string, ms: number): void {
    this.running.delete(label);
    this.line(`done    ${label} in ${fmtMs(ms)}`);
  }
  cached(label: string): void {
    this.line(`cached  ${label}`);
  }
  failed(label: string, why: string): void {
    this.running.delete(label);
    this.line(`FAILED  ${label}: ${why}`);
  }
  info(text: string): void {
    this.line(text);
  }

  private eta(r: Running): string {
    if (r.fraction <= 0.001) return '';
    const elapsed = Date.now() - r.start;
    return ` eta ${fmtMs((elapsed * (1 - r.fraction)) / r.fraction)}`;
  }

  private clear(): void {
    if (this.drawn) this.out.write(`\x1b[${this.drawn}A\x1b[0J`);
    this.drawn = 0;
  }
  private draw(): void {
    const width = Math.max(40, (this.out.columns ?? 100) - 1);
    for (const r of this.running.values()) {
      const bar = 20;
      const filled = Math.round(r.fraction * bar);
      const text = `[${'#'.repeat(filled)}${'.'.repeat(bar - filled)}] ${(r.fraction * 100).toFixed(0).padStart(3)}% ${r.label}${this.eta(r)}${r.message ? ` ${r.message}` : ''}`;
      this.out.write(`${text.slice(0, width)}\n`);
      this.drawn++;
    }
  }
  private redraw(): void {
    this.clear();
    this.draw();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.tty) this.clear();
  }
}
