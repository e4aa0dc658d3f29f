import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readdir, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeProject, removeProject, runCli, startCli } from './helpers/cli.js'

let dir: string
beforeAll(async () => {
  dir = await makeProject()
})
afterAll(async () => {
  await removeProject(dir)
})

describe('pipewright doctor', () => {
  it('passes with a warning when no Docker engine is reachable', async () => {
    const r = await runCli(['doctor'], { cwd: dir, env: { DOCKER_HOST: `unix://${join(dir, 'no-docker.sock')}` } })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^✓ node\s+Node\.js \d+\.\d+\.\d+$/m)
    expect(r.stdout).toMatch(/^✓ git\s+git version /m)
    expect(r.stdout).toMatch(/^! docker\s+no engine reachable at unix:\/\/.*no-docker\.sock.*\(warning\)$/m)
    expect(r.stdout).toMatch(/^✓ store\s+\S+ does not exist yet; the first run creates it/m)
    expect(r.stdout).toMatch(/^✓ plugins\s+.*docker/m)
  })

  it('reports an engine that answers /_ping on DOCKER_HOST as reachable', async () => {
    // Not a Docker engine: a real HTTP server on a unix socket answering the Engine API ping,
    // which is all doctor asks of it. (tests for the docker plugin use a real dockerd.)
    const socket = join(dir, 'engine.sock')
    const server: Server = createServer((req, res) => {
      res.writeHead(req.url === '/_ping' ? 200 : 404, { 'api-version': '1.41', 'content-type': 'text/plain' })
      res.end(req.url === '/_ping' ? 'OK' : 'not found')
    })
    await new Promise<void>((resolve) => server.listen(socket, resolve))
    try {
      const r = await runCli(['doctor', '--json'], { cwd: dir, env: { DOCKER_HOST: `unix://${socket}` } })
      expect(r.code).toBe(0)
      const report = JSON.parse(r.stdout) as { ok: boolean; checks: Array<{ name: string; status: string; detail: string }> }
      expect(report.ok).toBe(true)
      expect(report.checks.find((c) => c.name === 'docker')).toMatchObject({ status: 'ok', detail: expect.stringContaining('API 1.41') })
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('creates no store where it runs: a store that does not exist yet is checked in a temp directory', async () => {
    const here = await makeProject({ 'pipewright.yml': 'name: fresh\nstages:\n  a: { run: "true" }\n' })
    try {
      const r = await runCli(['doctor'], { cwd: here, env: { DOCKER_HOST: `unix://${join(here, 'none.sock')}` } })
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/^✓ store\s+\S+\/\.pipewright does not exist yet; the first run creates it \(.* is writable\)$/m)
      expect(await readdir(here)).toEqual(['pipewright.yml'])
    } finally {
      await removeProject(here)
    }
  })

  it('-f checks that pipeline\'s store and the plugins it lists', async () => {
    const project = await makeProject({
      'services/api/pipewright.yml': 'name: api\nstages:\n  a: { run: "true" }\n',
      'services/web/pipewright.yml': 'name: web\nplugins: [pipewright-plugin-not-installed]\nstages:\n  a: { run: "true" }\n',
    })
    try {
      const env = { DOCKER_HOST: `unix://${join(project, 'none.sock')}` }
      expect((await runCli(['run', '-f', 'services/api/pipewright.yml'], { cwd: project })).code).toBe(0)
      const api = await runCli(['doctor', '-f', 'services/api/pipewright.yml', '--json'], { cwd: project, env })
      expect(api.code).toBe(0)
      const checks = (JSON.parse(api.stdout) as { checks: Array<{ name: string; status: string; detail: string }> }).checks
      expect(checks.find((c) => c.name === 'store')).toEqual({ name: 'store', status: 'ok', detail: `writable at ${join(project, 'services/api/.pipewright')}` })

      const web = await runCli(['doctor', '-f', 'services/web/pipewright.yml'], { cwd: project, env })
      expect(web.code).toBe(1)
      expect(web.stdout).toMatch(/^✗ plugins\s+.*pipewright-plugin-not-installed/m)
      expect(existsSync(join(project, 'services/web/.pipewright'))).toBe(false)
      expect(existsSync(join(project, '.pipewright'))).toBe(false)
    } finally {
      await removeProject(project)
    }
  })

  it('fails (exit 1) when the store is not writable', async () => {
    const blocker = join(dir, 'a-file')
    await writeFile(blocker, 'not a directory')
    const r = await runCli(['--home', join(blocker, 'home'), 'doctor'], { cwd: dir, env: { DOCKER_HOST: `unix://${join(dir, 'none.sock')}` } })
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^✗ store\s+store not writable/m)
    expect(r.stdout).toMatch(/^ {2}fix: .*--home/m)
  })
})

describe('pipewright plugin new', () => {
  it('scaffolds a plugin package, and refuses a non-empty directory', async () => {
    const r = await runCli(['plugin', 'new', 'slack-notify', '--dir', 'plugins/slack'], { cwd: dir })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/created \S*slack-notify\S* \(plugin id slack-notify\) in plugins\/slack/)
    const files = await readdir(join(dir, 'plugins/slack'))
    expect(files).toContain('package.json')
    expect(existsSync(join(dir, 'plugins/slack/src'))).toBe(true)

    const again = await runCli(['plugin', 'new', 'slack-notify', '--dir', 'plugins/slack'], { cwd: dir })
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/^error PW_ERR_USAGE: .*not empty/m)
  })
})

describe('pipewright logs --follow', () => {
  it('follows a run in progress in another process until it ends', async () => {
    const project = await makeProject({
      'pipewright.yml': 'name: follow\nstages:\n  slow:\n    run: |\n      echo first\n      while [ ! -f go ]; do sleep 0.1; done\n      echo second\n',
    })
    try {
      const run = startCli(['run'], { cwd: project })
      const runId = (await run.waitFor(/^run (\S+) · follow/m))[1] as string
      await run.waitFor(/^slow │ first$/m)
      const follow = startCli(['logs', runId, '--follow'], { cwd: project })
      await follow.waitFor(/slow │ first/)
      await writeFile(join(project, 'go'), '')
      const followed = await follow.done
      expect(followed.code).toBe(0)
      expect(followed.stdout.trim().split('\n')).toEqual(['slow │ first', 'slow │ second'])
      expect((await run.done).code).toBe(0)
    } finally {
      await removeProject(project)
    }
  })
})

describe('pipewright watch', () => {
  it('runs the pipeline for the branch tip and once for each new commit, in order, until Ctrl-C', async () => {
    // git.message is the commit the run is for, not whatever HEAD is when the stage starts.
    const repo = await makeProject({ 'pipewright.yml': 'name: watched\nstages:\n  build:\n    run: echo "${{ git.message }}"\n' })
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.test', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.test' } })
    try {
      git('init', '-q', '-b', 'main')
      git('add', '.')
      git('commit', '-q', '-m', 'first commit')
      const watch = startCli(['watch', '--interval', '200ms'], { cwd: repo })
      await watch.waitFor(/build │ first commit[\s\S]*✓ watched succeeded/)
      git('commit', '-q', '--allow-empty', '-m', 'second commit')
      git('commit', '-q', '--allow-empty', '-m', 'third commit')
      await watch.waitFor(/build │ second commit[\s\S]*✓ watched succeeded[\s\S]*build │ third commit[\s\S]*✓ watched succeeded/)
      watch.child.kill('SIGINT')
      const r = await watch.done
      expect(r.code).toBe(130)

      const runs = JSON.parse((await runCli(['runs', '--json'], { cwd: repo })).stdout) as Array<{ status: string; trigger: string }>
      expect(runs.map((x) => [x.status, x.trigger])).toEqual([
        ['succeeded', 'watch'],
        ['succeeded', 'watch'],
        ['succeeded', 'watch'],
      ])
    } finally {
      await removeProject(repo)
    }
  })
})
