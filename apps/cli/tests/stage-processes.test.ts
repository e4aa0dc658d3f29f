import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { runCli, startCli, useTempProjects } from './helpers/cli.js'

const project = useTempProjects()

/** True while a process runs (a zombie nobody reaped counts as gone). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z'
  } catch {
    return false
  }
}

async function pidIn(file: string): Promise<number> {
  for (let i = 0; i < 200 && !existsSync(file); i++) await sleep(25)
  return Number(readFileSync(file, 'utf8'))
}

async function gone(pid: number, ms = 5000): Promise<boolean> {
  for (let waited = 0; waited < ms && running(pid); waited += 50) await sleep(50)
  return !running(pid)
}

describe('stage processes and the CLI', () => {
  it('one SIGTERM ends a run whose stage started a setsid process, and that process with it', async () => {
    const dir = await project({ 'pipewright.yml': "name: term\nstages:\n  hold: { run: 'setsid sleep 101 & echo $! > escapee.pid; echo ready; sleep 100' }\n" })
    const cli = startCli(['run'], { cwd: dir })
    await cli.waitFor(/^hold │ ready$/m)
    const escapee = await pidIn(join(dir, 'escapee.pid'))
    cli.child.kill('SIGTERM')
    const r = await cli.done
    expect(r.code).toBe(130)
    expect(r.stdout).toMatch(/⊘ hold/)
    expect(await gone(escapee)).toBe(true)
  })

  it('a timed-out stage says how long its limit was, not the exit code of the killed command', async () => {
    const dir = await project({ 'pipewright.yml': "name: slow\nstages:\n  slow: { timeout: 1s, run: 'sleep 30' }\n" })
    const r = await runCli(['run'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^✗ slow timed out after 1s \(\d+\.\ds\)$/m)
    expect(r.stdout).toMatch(/^ {2}✗ slow timed out after 1s/m)
    expect(r.stdout).not.toMatch(/exit 143/)
  })

  it('after a kill -9 of the CLI, --resume stops the stage processes it left running, and says so', async () => {
    const dir = await project({
      'pipewright.yml': `name: orphans
stages:
  hang:
    run: |
      if [ -f marker ]; then echo resumed; exit 0; fi
      touch marker
      setsid sleep 120 & echo $! > escapee.pid
      sleep 120 & echo $! > child.pid
      echo ready
      wait
`,
    })
    const cli = startCli(['run'], { cwd: dir, detached: true })
    const runId = (await cli.waitFor(/^run (\S+) · orphans/m))[1] as string
    await cli.waitFor(/^hang │ ready$/m)
    const pids = [await pidIn(join(dir, 'escapee.pid')), await pidIn(join(dir, 'child.pid'))]
    process.kill(cli.child.pid as number, 'SIGKILL')
    await cli.done
    expect(pids.map(running)).toEqual([true, true])

    const resumed = await runCli(['run', '--resume', runId], { cwd: dir })
    expect(resumed.code).toBe(0)
    expect(resumed.stdout).toMatch(new RegExp(`^stopped \\d+ processes left running by run ${runId} \\(pid [\\d, ]+\\)$`, 'm'))
    expect(resumed.stdout).toMatch(/^hang │ resumed$/m)
    for (const pid of pids) expect(await gone(pid)).toBe(true)
  })
})
