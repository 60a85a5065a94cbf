// A live TLS identity: certificates are renewed on disk and picked up without a restart.
import { type Stats, unwatchFile, watchFile } from 'node:fs';
import { type LoadedTls, loadTls, type TlsFiles } from './load.js';

export class TlsContext {
  readonly #files: TlsFiles;
  #current: LoadedTls;
  readonly #listeners: ((tls: LoadedTls) => void)[] = [];
  readonly #errorListeners: ((error: Error) => void)[] = [];

  /** Loads the files at once; throws TlsConfigError when they are unusable. */
  constructor(files: TlsFiles) {
    this.#files = { ...files };
    this.#current = loadTls(this.#files);
  }

  get current(): LoadedTls {
    return this.#current;
  }

  /**
   * Re-reads the files. Bad files leave the current context in place and the error is returned
   * (and passed to onReloadError listeners); good ones replace it and reach the onReload listeners.
   * A listener that throws does not stop the others; its error is returned.
   */
  reload(): Error | undefined {
    let next: LoadedTls;
    try {
      next = loadTls(this.#files);
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      for (const listener of this.#errorListeners) listener(failure);
      return failure;
    }
    this.#current = next;
    let listenerError: Error | undefined;
    for (const listener of this.#listeners) {
      try {
        listener(next);
      } catch (error) {
        listenerError ??= error instanceof Error ? error : new Error(String(error));
      }
    }
    return listenerError;
  }

  onReload(listener: (tls: LoadedTls) => void): void {
    this.#listeners.push(listener);
  }

  /** Hears about reloads that failed, e.g. to log them: watch() has no caller to return them to. */
  onReloadError(listener: (error: Error) => void): void {
    this.#errorListeners.push(listener);
  }

  /**
   * Reloads on SIGHUP and when any of the files changes (polled every `intervalMs`; the pollers do
   * not keep the process alive). Returns a function that stops watching.
   */
  watch(intervalMs = 5000): () => void {
    const onSignal = () => {
      this.reload();
    };
    const onChange = (current: Stats, previous: Stats) => {
      if (
        current.mtimeMs !== previous.mtimeMs ||
        current.ino !== previous.ino ||
        current.size !== previous.size
      ) {
        this.reload();
      }
    };
    const files = [...new Set([this.#files.cert, this.#files.key, this.#files.ca])];
    process.on('SIGHUP', onSignal);
    for (const file of files) watchFile(file, { interval: intervalMs, persistent: false }, onChange);
    return () => {
      process.off('SIGHUP', onSignal);
      for (const file of files) unwatchFile(file, onChange);
    };
  }
}
