import { cron } from '@pipewright/core'
import type { ServerContext } from './context.js'

export interface Scheduler {
  /** Starts the runs whose slot came (at most one per expression: missed slots catch up once). */
  tick(): Promise<string[]>
  stop(): void
}

/**
 * Starts `on: { schedule: [...] }` runs. Each expression's slots are claimed in the store
 * (`claimOnce('schedule', '<pipeline>:<expr>:<slot ms>')`), so two servers on one store, or a
 * restarted one, never start a slot twice. Only the newest due slot is considered: a server that
 * was down catches up one missed slot on start, not every one. The first time a server sees an
 * expression it records the newest past slot without running it (the schedule starts then).
 */
export function createScheduler(ctx: ServerContext, options: { intervalMs?: number } = {}): Scheduler {
  let stopped = false
  const tick = async (): Promise<string[]> => {
    const started: string[] = []
    for (const pipeline of ctx.pipelines.values()) {
      const loaded = await ctx.engine.load(pipeline.file)
      for (const expression of loaded.spec.on?.schedule ?? []) {
        if (stopped) return started
        const prefix = `${pipeline.name}:${expression}:`
        const [slot] = cron(expression, 'UTC').previousRuns(1, new Date(ctx.now()))
        if (!slot) continue
        const last = await ctx.store.lastClaim('schedule', prefix)
        if (last && last.at >= slot.getTime()) continue
        if (!(await ctx.store.claimOnce('schedule', `${prefix}${slot.getTime()}`, slot.getTime()))) continue
        if (!last) continue // first sight: the schedule starts from here
        const handle = await ctx.engine.run(loaded, { trigger: 'schedule', triggeredBy: `schedule ${expression}` })
        ctx.track(handle)
        started.push(handle.id)
      }
    }
    return started
  }
  let running: Promise<unknown> = Promise.resolve()
  const timer = setInterval(() => {
    running = running.then(tick).catch(() => undefined)
  }, options.intervalMs ?? 15_000)
  timer.unref()
  return {
    tick: () => (running = running.then(tick)) as Promise<string[]>,
    stop() {
      stopped = true
      clearInterval(timer)
    },
  }
}
