// The one log of the extension: a LogOutputChannel where every line names the component that wrote it,
// and `describe`, the one way an error becomes text for the log or a message.
import * as vscode from 'vscode';

export type Component =
  | 'activate'
  | 'store'
  | 'watch'
  | 'tree'
  | 'commands'
  | 'history'
  | 'console'
  | 'selection'
  | 'diagnostics'
  | 'terminal'
  | 'charts'
  | 'table';

/** A logger bound to one component; `Logger.for` makes them. */
export interface ComponentLogger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string | Error): void;
}

/** An error's message (anything else thrown, as text): what logs and error messages show. */
export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class Logger implements vscode.Disposable {
  private readonly channel: vscode.LogOutputChannel;

  constructor(name: string) {
    this.channel = vscode.window.createOutputChannel(name, { log: true });
  }

  for(component: Component): ComponentLogger {
    const tag = `[${component}]`;
    const channel = this.channel;
    return {
      trace: (m) => channel.trace(`${tag} ${m}`),
      debug: (m) => channel.debug(`${tag} ${m}`),
      info: (m) => channel.info(`${tag} ${m}`),
      warn: (m) => channel.warn(`${tag} ${m}`),
      error: (m) => channel.error(`${tag} ${typeof m === 'string' ? m : (m.stack ?? m.message)}`),
    };
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
