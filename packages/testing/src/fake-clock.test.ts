import { describe, expect, it } from 'vitest'
import { createFakeClock } from './fake-clock.js'

describe('createFakeClock', () => {
  it('fires sleeps in order as time advances, and not before', async () => {
    const clock = createFakeClock({ start: 1_000 })
    const fired: string[] = []
    void clock.sleep(300).then(() => fired.push(`b@${clock.now()}`))
    void clock.sleep(100).then(() => fired.push(`a@${clock.now()}`))
    await clock.advance(99)
    expect(fired).toEqual([])
    expect(clock.pending()).toBe(2)
    await clock.advance(150)
    expect(fired).toEqual(['a@1100'])
    expect(clock.now()).toBe(1_249)
    await clock.advance(51)
    expect(fired).toEqual(['a@1100', 'b@1300'])
  })

  it('fires sleeps chained after a fired sleep within the same advance', async () => {
    const clock = createFakeClock({ start: 0 })
    const ticks: number[] = []
    const loop = (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(1_000)
        ticks.push(clock.now())
      }
    })()
    await clock.advance(10_000)
    await loop
    expect(ticks).toEqual([1_000, 2_000, 3_000])
  })

  it('rejects a sleep when its signal aborts and forgets it', async () => {
    const clock = createFakeClock()
    const controller = new AbortController()
    const sleeping = clock.sleep(5_000, controller.signal)
    controller.abort(new Error('stop'))
    await expect(sleeping).rejects.toThrow('stop')
    expect(clock.pending()).toBe(0)
  })

  it('in auto mode ends every sleep at once and moves time by its length', async () => {
    const clock = createFakeClock({ start: 0, auto: true })
    for (let i = 0; i < 5; i++) await clock.sleep(60_000)
    expect(clock.now()).toBe(300_000)
  })

  it('runAll drains sleeps and reports an endless loop', async () => {
    const clock = createFakeClock({ start: 0 })
    void clock.sleep(10)
    void clock.sleep(20)
    await clock.runAll()
    expect(clock.now()).toBe(20)
    const forever = async () => {
      for (;;) await clock.sleep(1)
    }
    void forever()
    await expect(clock.runAll(50)).rejects.toThrow(/still sleeping after 50 timers/)
  })
})
