// A promise the test settles itself: a run that lasts, or an answer that is held, exactly until the
// scenario says so (Promise.withResolvers needs Node 22; the app supports Node 20).
export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
