import type { Clock } from '@pipewright/plugin-api'

/** A clock whose time only moves when the test says so. */
export interface FakeClock extends Clock {
  /** Moves time forward by `ms`, firing every sleep that ends on the way, in order. */
  advance(ms: number): Promise<void>
  /** Moves time forward to the end of the next pending sleep (no-op when none). Returns whether one fired. */
  next(): Promise<boolean>
  /** Fires pending sleeps until none is left (sleeps started meanwhile included), up to `limit` of them. */
  runAll(limit?: number): Promise<void>
  /** Sleeps that have not ended yet. */
  pending(): number
}

interface Timer {
  at: number
  seq: number
  resolve(): void
}

// Lets code resumed by a fired sleep run far enough to schedule its next sleep before time moves on.
const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

export interface FakeClockOptions {
  /** Epoch ms the clock starts at; default 2025-01-01T00:00:00Z. */
  start?: number
  /**
   * Every sleep ends at once, moving time forward by its length: retries, backoffs and polling
   * loops finish instantly while `now()` still shows the time they would have taken.
   */
  auto?: boolean
}

/** Creates a fake `Clock`; time moves only through `advance`/`next`/`runAll`, or by itself with `auto`. */
export function createFakeClock(options: FakeClockOptions = {}): FakeClock {
  let now = options.start ?? Date.UTC(2025, 0, 1)
  let seq = 0
  const timers: Timer[] = []

  const fire = async (timer: Timer) => {
    timers.splice(timers.indexOf(timer), 1)
    now = Math.max(now, timer.at)
    timer.resolve()
    await settle()
  }
  const earliest = () => timers.reduce<Timer | undefined>((a, t) => (!a || t.at < a.at || (t.at === a.at && t.seq < a.seq) ? t : a), undefined)

  return {
    now: () => now,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason)
        const timer: Timer = { at: now + Math.max(0, ms), seq: seq++, resolve }
        timers.push(timer)
        if (options.auto) queueMicrotask(() => { if (timers.includes(timer)) void fire(timer) })
        signal?.addEventListener(
          'abort',
          () => {
            const i = timers.indexOf(timer)
            if (i >= 0) timers.splice(i, 1)
            reject(signal.reason)
          },
          { once: true },
        )
      })
    },
    async advance(ms) {
      const target = now + ms
      await settle()
      for (let t = earliest(); t && t.at <= target; t = earliest()) await fire(t)
      now = target
    },
    async next() {
      await settle()
      const t = earliest()
      if (!t) return false
      await fire(t)
      return true
    },
    async runAll(limit = 10_000) {
      for (let i = 0; i < limit; i++) if (!(await this.next())) return
      throw new Error(`FakeClock.runAll: still sleeping after ${limit} timers; something sleeps in a loop`)
    },
    pending: () => timers.length,
  }
}
