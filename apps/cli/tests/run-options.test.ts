import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {runCli, useTempProjects } from './helpers/cli.js'

const project = useTempProjects()

/** The lines a run's stages appended to `trace.txt`. */
async function trace(dir: string): Promise<string[]> {
  return (await readFile(join(dir, 'trace.txt'), 'utf8')).trim().split('\n')
}

describe('pipewright run --from', () => {
  it('runs only that stage and the stages that depend on it', async () => {
    const dir = await project({
      'pipewright.yml': `name: from
stages:
  install: { run: echo install >> trace.txt }
  lint:    { needs: [install], run: echo lint >> trace.txt }
  build:   { needs: [install], run: echo build >> trace.txt }
  package: { needs: [build], run: echo package >> trace.txt }
  deploy:  { needs: [package, lint], run: echo deploy >> trace.txt }
`,
    })
    const r = await runCli(['run', '--from', 'build', '--json'], { cwd: dir })
    expect(r.code).toBe(0)
    expect(await trace(dir)).toEqual(['build', 'package', 'deploy'])
    const doc = JSON.parse(r.stdout) as { stages: Array<{ id: string; status: string }> }
    const ran = doc.stages.filter((s) => s.status === 'succeeded').map((s) => s.id)
    expect(ran).toEqual(['build', 'package', 'deploy'])
  })
})

describe('pipewright run --concurrency', () => {
  it('--concurrency 1: independent stages never overlap', async () => {
    // Each stage writes start and end markers around a pause, so overlapping stages interleave them.
    const stage = (name: string) => `  ${name}: { run: "echo start-${name} >> trace.txt; sleep 0.3; echo end-${name} >> trace.txt" }\n`
    const dir = await project({ 'pipewright.yml': `name: serial\nstages:\n${['a', 'b', 'c', 'd'].map(stage).join('')}` })
    const r = await runCli(['run', '--concurrency', '1'], { cwd: dir })
    expect(r.code).toBe(0)
    const lines = await trace(dir)
    expect(lines).toHaveLength(8)
    for (let i = 0; i < lines.length; i += 2) {
      const name = lines[i]?.replace(/^start-/, '')
      expect(lines[i]).toMatch(/^start-[abcd]$/)
      expect(lines[i + 1]).toBe(`end-${name}`)
    }
    expect(new Set(lines.filter((l) => l.startsWith('start-'))).size).toBe(4)
  })
})
