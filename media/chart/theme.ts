// Chart colours read from VS Code's theme variables (light, dark, high contrast), re-read when the
// theme changes (VS Code swaps the body's class and style).

export interface ChartTheme {
  readonly foreground: string;
  readonly muted: string;
  readonly grid: string;
  readonly background: string;
  readonly selection: string;
  readonly font: string;
  readonly highContrast: boolean;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const v = style.getPropertyValue(name).trim();
  return v.length > 0 ? v : fallback;
}

export function readTheme(): ChartTheme {
  const style = getComputedStyle(document.body);
  const classes = document.body.classList;
  const highContrast = classes.contains('vscode-high-contrast') || classes.contains('vscode-high-contrast-light');
  const dark = classes.contains('vscode-dark') || classes.contains('vscode-high-contrast');
  const foreground = cssVar(style, '--vscode-editor-foreground', dark ? '#cccccc' : '#333333');
  return {
    foreground,
    muted: cssVar(style, '--vscode-descriptionForeground', dark ? '#9d9d9d' : '#717171'),
    grid: highContrast ? cssVar(style, '--vscode-contrastBorder', foreground) : dark ? 'rgba(255,255,255,0.08)' : 'rgba(0,0,0,0.08)',
    background: cssVar(style, '--vscode-editor-background', dark ? '#1e1e1e' : '#ffffff'),
    selection: cssVar(style, '--vscode-editorCursor-foreground', dark ? '#aeafad' : '#000000'),
    font: cssVar(style, '--vscode-font-family', 'sans-serif'),
    highContrast,
  };
}

/** Calls `onChange` when VS Code switches theme. */
export function watchTheme(onChange: () => void): void {
  const observer = new MutationObserver(() => onChange());
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
}

/** A line colour (#rrggbb) with an alpha, for faded archived lines and marks; other forms as they are. */
export function withAlpha(hex: string, alpha: number): string {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!m) return hex;
  const n = parseInt(m[1], 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}
