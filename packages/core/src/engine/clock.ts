import type { Clock } from '@pipewright/plugin-api'

/** The wall clock; tests and the kit swap in a fake one. */
export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason)
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      const onAbort = () => {
        clearTimeout(t)
        reject(signal!.reason)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
    }),
}
