import { afterEach, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { runCli, startCli, useTempProjects, type RunningCli } from './helpers/cli.js'

describe('pipewright agent', () => {
  const project = useTempProjects()
  let foreground: RunningCli | undefined

  afterEach(async () => {
    // A test that failed half-way must not leave an agent running.
    if (foreground && foreground.child.exitCode === null) {
      foreground.child.kill('SIGKILL')
      await foreground.done
    }
    foreground = undefined
  })

  it('status and stop say so when no agent runs', async () => {
    const dir = await project()
    const home = join(dir, 'h')
    const status = await runCli(['--home', home, 'agent', 'status'], { cwd: dir })
    expect(status).toMatchObject({ code: 0, stdout: `No deployment agent runs for ${home}.\n` })
    const json = await runCli(['--home', home, 'agent', 'status', '--json'], { cwd: dir })
    expect(JSON.parse(json.stdout)).toEqual({ running: false, home })
    expect(await runCli(['--home', home, 'agent', 'stop'], { cwd: dir })).toMatchObject({ code: 0, stdout: `No deployment agent runs for ${home}.\n` })
  })

  it('start runs in the foreground; status shows it; stop ends it; a second start is refused', async () => {
    const dir = await project()
    const home = join(dir, 'h')
    foreground = startCli(['--home', home, 'agent', 'start'], { cwd: dir })
    const [, pid] = await foreground.waitFor(/\(pid (\d+)\) listening on /)

    const second = await runCli(['--home', home, 'agent', 'start'], { cwd: dir })
    expect(second.code).toBe(1)
    expect(second.stderr).toContain(`An agent already runs for ${home} (pid ${pid})`)

    const status = await runCli(['--home', home, 'agent', 'status', '--json'], { cwd: dir })
    const parsed = JSON.parse(status.stdout) as { running: boolean; agent: { pid: number; targets: string[]; socket: string }; environments: unknown[] }
    expect(parsed).toMatchObject({ running: true, agent: { pid: Number(pid), socket: join(home, 'agent.sock') }, environments: [] })
    expect(parsed.agent.targets).toEqual(expect.arrayContaining(['deploy/process', 'docker/container']))
    const text = await runCli(['--home', home, 'agent', 'status'], { cwd: dir })
    expect(text.stdout).toContain(`pid ${pid}`)
    expect(text.stdout).toContain('No environments yet: the first deploy creates one.')

    const stop = await runCli(['--home', home, 'agent', 'stop'], { cwd: dir })
    expect(stop).toMatchObject({ code: 0 })
    expect(stop.stdout).toContain(`Stopped the agent (pid ${pid}) and its routers`)
    expect((await foreground.done).code).toBe(0)
  })
})
