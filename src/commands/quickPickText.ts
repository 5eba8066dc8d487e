// Quick pick labels render `$(name)` as icons: user text must not be able to inject them.
import { singleLine } from '../format';

export function escapeForQuickPick(text: string): string {
  return singleLine(text, 120).replace(/\$\(/g, '$\u200b(');
}
