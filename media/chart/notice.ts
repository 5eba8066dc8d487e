// The line at the top of the panel that says what went wrong or what changed (a refusal, a run no
// longer in the store); it clears itself after a while.

const SHOWN_MS = 8000;

export class Notice {
  readonly root: HTMLElement;

  constructor() {
    this.root = document.createElement('div');
    this.root.className = 'notice';
    this.root.setAttribute('role', 'alert');
    this.root.hidden = true;
  }

  show(message: string, kind: 'info' | 'error'): void {
    this.root.textContent = message;
    this.root.className = `notice ${kind}`;
    this.root.hidden = false;
    setTimeout(() => {
      if (this.root.textContent === message) this.root.hidden = true;
    }, SHOWN_MS);
  }

  /** What it shows, '' when nothing. */
  text(): string {
    return this.root.hidden ? '' : (this.root.textContent ?? '');
  }
}
