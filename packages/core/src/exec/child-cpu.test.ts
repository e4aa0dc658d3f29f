import { describe, expect, it } from 'vitest'
import { spawnProcess } from './process.js'

describe.runIf(process.platform === 'linux')('CPU time of stage commands', () => {
  it('counts what a busy command used and next to nothing for a sleeping one', async () => {
    // The busy command spins until it has used 300 ms of CPU by its own count, however loaded the machine is.
    const busy = await spawnProcess({ command: [process.execPath, '-e', 'while (process.cpuUsage().user < 300_000);'], cwd: process.cwd(), env: { PATH: process.env.PATH ?? '' } })
    const idle = await spawnProcess({ command: ['sleep', '0.4'], cwd: process.cwd(), env: { PATH: process.env.PATH ?? '' } })
    expect(busy.exitCode).toBe(0)
    expect(busy.cpuMs).toBeGreaterThanOrEqual(280)
    expect(idle.cpuMs).toBeDefined()
    expect(idle.cpuMs!).toBeLessThan(busy.cpuMs! / 2)
  })
})
