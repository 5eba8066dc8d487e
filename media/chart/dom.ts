// Tiny DOM helpers for the webview. User data (run names, keys, config values, tags) only ever goes in
// through textContent or attributes set one by one — never innerHTML.
import { dashGradient, type LineSpec } from './lines';

export interface ElementOptions {
  readonly className?: string;
  readonly text?: string;
  readonly title?: string;
  readonly attrs?: Readonly<Record<string, string>>;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElementOptions = {},
  children: readonly (Node | null | undefined)[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined) node.textContent = options.text;
  if (options.title !== undefined) node.title = options.title;
  if (options.attrs) for (const [name, value] of Object.entries(options.attrs)) node.setAttribute(name, value);
  for (const child of children) if (child) node.appendChild(child);
  return node;
}

export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

/** A button with a codicon-like glyph and an accessible label. */
export function button(label: string, onClick: () => void, options: ElementOptions = {}): HTMLButtonElement {
  const b = el('button', { ...options, attrs: { type: 'button', 'aria-label': label, ...(options.attrs ?? {}) } });
  if (options.text === undefined) b.textContent = label;
  if (options.title === undefined) b.title = label;
  b.addEventListener('click', onClick);
  return b;
}

/** A short sample of a line for legends and readouts: its colour, and its dash pattern when it has one. */
export function lineSwatch(line: Pick<LineSpec, 'color' | 'dash' | 'alpha'>): HTMLElement {
  const swatch = el('span', { className: line.dash.length > 0 ? 'swatch dashed' : 'swatch' });
  swatch.style.setProperty('--line-color', line.color);
  if (line.dash.length > 0) {
    swatch.style.setProperty('--line-dash', dashGradient(line.color, line.dash));
    swatch.style.opacity = String(line.alpha);
  }
  return swatch;
}
