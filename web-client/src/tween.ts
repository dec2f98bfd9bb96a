// Smooth number transitions for the TV graphic: a value eases from what is on screen to
// the new figure instead of jumping, and always lands exactly on the target.
export class NumberTween {
  private shown: number | null = null;
  private from = 0;
  private to = 0;
  private startedAt = 0;
  private frame: number | null = null;
  private fallback: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly el: Element,
    private readonly format: (n: number) => string,
    private readonly durationMs = 700,
  ) {}

  set(target: number): void {
    if (this.shown === null || this.durationMs <= 0 || reducedMotion()) {
      this.stop();
      this.to = target;
      this.paint(target);
      return;
    }
    if (target === this.to && this.frame !== null) return;
    if (target === this.shown && this.frame === null) return;
    this.from = this.shown;
    this.to = target;
    this.startedAt = performance.now();
    if (this.frame === null) this.frame = requestAnimationFrame((t) => this.step(t));
    // Some hosts throttle or pause animation frames (hidden tabs, offscreen renderers):
    // the right figure must be on air regardless.
    if (this.fallback !== null) clearTimeout(this.fallback);
    this.fallback = setTimeout(() => {
      this.stop();
      this.paint(this.to);
    }, this.durationMs + 250);
  }

  /** Re-renders the current value (e.g. after a language change). */
  refresh(): void {
    if (this.shown !== null) this.el.textContent = this.format(this.frame === null ? this.shown : this.to);
  }

  private step(now: number): void {
    // A frame's timestamp may precede startedAt slightly: clamp so we never ease backwards.
    const p = Math.min(1, Math.max(0, (now - this.startedAt) / this.durationMs));
    const eased = 1 - (1 - p) ** 3;
    this.paint(p >= 1 ? this.to : this.from + (this.to - this.from) * eased);
    if (p < 1) {
      this.frame = requestAnimationFrame((t) => this.step(t));
    } else {
      this.stop();
    }
  }

  private paint(v: number): void {
    this.shown = v;
    const text = this.format(v);
    if (this.el.textContent !== text) this.el.textContent = text;
  }

  private stop(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    if (this.fallback !== null) clearTimeout(this.fallback);
    this.frame = null;
    this.fallback = null;
  }
}

function reducedMotion(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
}
