// The one way a part of the extension owns what it must release: extend `Disposable` and `_register`
// each listener, emitter, timer wrapper or child (as vscode-hexeditor's src/dispose.ts does), instead of
// keeping an array by hand. Disposing twice is harmless; things registered after disposal are disposed
// at once, so a late async start cannot leak.
import type * as vscode from 'vscode';

/** Anything with a dispose(): vscode.Disposable, EventEmitter, the store's Unsubscribe, … */
export interface IDisposable {
  dispose(): unknown;
}

/** Disposes each of `items`, in reverse order of registration, and empties the list. */
export function disposeAll(items: IDisposable[]): void {
  while (items.length > 0) items.pop()?.dispose();
}

export abstract class Disposable implements vscode.Disposable {
  private readonly _disposables: IDisposable[] = [];
  private _isDisposed = false;

  protected get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Owns `value` from now on: it is disposed with this object. Returns it, for `this.x = this._register(…)`. */
  protected _register<T extends IDisposable>(value: T): T {
    if (this._isDisposed) value.dispose();
    else this._disposables.push(value);
    return value;
  }

  dispose(): void {
    if (this._isDisposed) return;
    this._isDisposed = true;
    disposeAll(this._disposables);
  }
}

/** A set of disposables owned together, for functions (a `register…` returns its disposables this way too). */
export class DisposableStore extends Disposable {
  add<T extends IDisposable>(value: T): T {
    return this._register(value);
  }
}
