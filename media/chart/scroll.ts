// Keeps the panel's scroll position, so a tab shown again — whose webview VS Code rebuilt — opens where
// it was left: reported (debounced) as the user scrolls, and put back after the first render.

export class ScrollKeeper {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Set while the saved position is being put back: the scroll events that causes are not news. */
  private restoring = false;

  /** `save` gets the new position, in whole CSS px, after scrolling paused. */
  constructor(private readonly save: (scrollY: number) => void) {
    window.addEventListener('scroll', () => this.onScroll(), { passive: true });
  }

  private onScroll(): void {
    if (this.restoring) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (!this.restoring) this.save(Math.max(0, Math.round(window.scrollY)));
    }, 150);
  }

  /** Scrolls back to `y` once the sections just rendered are laid out (cards have their height before their data). */
  restore(y: number): void {
    if (y <= 0) return;
    this.restoring = true;
    requestAnimationFrame(() => {
      window.scrollTo(0, y);
      requestAnimationFrame(() => {
        this.restoring = false;
      });
    });
  }
}
