// When the chart webview redraws: charts are marked dirty and redrawn at most once per animation frame.
// Charts drawn for the first time and answers the user waits for (a zoom, new lines) go at once; other
// redraws of charts already on screen (live growth) share a frame budget and the rest wait a frame, so
// a burst of appends never makes one long frame; charts scrolled away wait until they come back into view.

/** Milliseconds of redrawing per animation frame before the remaining redraws wait a frame. */
const FRAME_BUDGET_MS = 6;

/** What the scheduler needs of the app. */
export interface FrameHost {
  /** Whether `key`'s chart has drawn before (a plot on screen). */
  hasPlot(key: string): boolean;
  /** Starts a frame: returns the drawing function for it (settings are read once per frame). Its result: drawn with data. */
  frame(): (key: string) => boolean;
}

export class FrameScheduler {
  private readonly dirty = new Set<string>();
  /** Dirty charts that skip the frame budget: an answer the user waits for (a zoom, new lines). */
  private readonly urgent = new Set<string>();
  /** Charts near the viewport (the IntersectionObserver's margin); the others wait in `offscreen`. */
  private readonly visible = new Set<string>();
  /** Charts whose redraw waits until they scroll back into view. */
  private readonly offscreen = new Set<string>();
  private readonly drawnWaiters = new Map<string, (() => void)[]>();
  private frameId = 0;

  constructor(private readonly host: FrameHost) {}

  markDirty(key: string, urgent = false): void {
    if (urgent) this.urgent.add(key);
    this.dirty.add(key);
    if (this.frameId === 0) this.frameId = requestAnimationFrame(() => this.flush());
  }

  markAllDirty(keys: Iterable<string>): void {
    for (const key of keys) this.markDirty(key);
  }

  /** The chart's card entered or left the viewport's margin; one that waited offscreen is redrawn. */
  setVisible(key: string, visible: boolean): void {
    if (!visible) {
      this.visible.delete(key);
      return;
    }
    this.visible.add(key);
    if (this.offscreen.delete(key)) this.markDirty(key);
  }

  /** Drawn with its latest data and settings, and on screen. */
  isSettled(key: string): boolean {
    return !this.dirty.has(key) && !this.offscreen.has(key);
  }

  /**
   * Resolves once `key`'s chart has drawn with data: at once when it has (`hasData`), else at its next
   * draw with data. A chart waiting offscreen is drawn now.
   */
  whenDrawn(key: string, hasData: boolean): Promise<void> {
    if (this.offscreen.delete(key)) this.markDirty(key, true);
    if (hasData && !this.dirty.has(key)) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.drawnWaiters.get(key) ?? [];
      list.push(resolve);
      this.drawnWaiters.set(key, list);
    });
  }

  /** Draws `key` now, outside the frame (a zoom's answer for a chart on screen: its frame is the next one). */
  drawNow(key: string): void {
    this.draw(key, this.host.frame());
  }

  private flush(): void {
    this.frameId = 0;
    const started = performance.now();
    const draw = this.host.frame();
    for (const key of [...this.dirty]) {
      const onScreen = this.host.hasPlot(key);
      if (onScreen && !this.urgent.has(key) && !this.visible.has(key) && !this.drawnWaiters.has(key)) {
        // Scrolled away: redrawn when it comes back into view.
        this.dirty.delete(key);
        this.offscreen.add(key);
        continue;
      }
      if (onScreen && !this.urgent.has(key) && performance.now() - started > FRAME_BUDGET_MS) continue;
      this.draw(key, draw);
    }
    if (this.dirty.size > 0) this.frameId = requestAnimationFrame(() => this.flush());
  }

  private draw(key: string, draw: (key: string) => boolean): void {
    this.dirty.delete(key);
    this.urgent.delete(key);
    if (!draw(key)) return;
    const waiters = this.drawnWaiters.get(key);
    this.drawnWaiters.delete(key);
    waiters?.forEach((w) => w());
    window.dispatchEvent(new CustomEvent('runrewind:drawn', { detail: key }));
  }
}
