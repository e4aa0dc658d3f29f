/**
 * `pipewright agent start` keeps the monitors of the environments it serves running: the built
 * CLI (real processes), a real deploy through the agent, a real service whose /healthz turns 500
 * while a file exists, alerts in a `notification/file`.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { freePort, stagingPipeline, useDeployedProjects } from './helpers/deploy-project.js'
import { runCli, startCli } from './helpers/cli.js'

const SERVICE = `import { createServer } from 'node:http'
import { existsSync } from 'node:fs'
createServer((req, res) => res.writeHead(existsSync(process.env.UNHEALTHY_FILE) ? 500 : 200).end()).listen(Number(process.env.PORT), '127.0.0.1')
`

/** staging is deployed (the agent serves it); production declares monitors too but was never deployed. */
function pipeline(port: number, unhealthyFile: string, notifyFile: string): string {
  return stagingPipeline(port, {
    env: { UNHEALTHY_FILE: unhealthyFile },
    monitors: '      interval: 200ms\n      unhealthy-after: 2\n      healthy-after: 2\n      monitors: [{ uses: monitoring/http, with: { url: /healthz } }]',
    environments: `  production:
    url: http://127.0.0.1:${port + 1}
    target: { uses: deploy/process, with: { command: [node, server.mjs] } }
    monitors:
      monitors: [{ uses: monitoring/http, with: { url: /healthz } }]
`,
    top: `
notify:
  - on: [environment:unhealthy, environment:recovered]
    uses: notification/file
    with: { path: ${JSON.stringify(notifyFile)} }`,
  })
}

const events = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { event: string }).event) : [])

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600 && !check(); i++) await new Promise((r) => setTimeout(r, 100))
  if (!check()) throw new Error(`timed out waiting for ${what}`)
}

describe('pipewright agent start hosts the monitors of the environments it serves (real agent, real processes)', () => {
  const projects = useDeployedProjects()

  it('alerts when the served environment (not one it does not serve) turns unhealthy and when it recovers, and stops watching before its routers stop', async () => {
    const port = await freePort()
    let unhealthyFile = ''
    let notifyFile = ''
    const deployed = await projects.create({ 'server.mjs': SERVICE }, (dir) => pipeline(port, (unhealthyFile = join(dir, 'unhealthy')), (notifyFile = join(dir, 'notifications.jsonl'))))
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0)
    const cwd = deployed.dir
    // The agent the deploy started knows no pipeline file; run it in the foreground with one.
    expect((await runCli(['agent', 'stop'], { cwd })).code).toBe(0)

    const agent = (projects.state.cli = startCli(['agent', 'start', '-f', 'pipewright.yml'], { cwd }))
    await agent.waitFor(/watching staging \(pipeline svc\) as agent:/)
    writeFileSync(unhealthyFile, 'down\n')
    await until(() => events(notifyFile).length >= 1, 'the unhealthy notification')
    rmSync(unhealthyFile)
    await until(() => events(notifyFile).length >= 2, 'the recovered notification')
    expect(events(notifyFile)).toEqual(['environment:unhealthy', 'environment:recovered'])
    expect(agent.stdout()).not.toMatch(/watching production/)

    agent.child.kill('SIGINT')
    const result = await agent.done
    expect(result.code, result.stderr).toBe(0)
    const out = result.stdout
    expect(out.indexOf('stopped watching staging: the host is closing')).toBeGreaterThan(-1)
    expect(out.indexOf('stopped watching staging: the host is closing')).toBeLessThan(out.indexOf('stopping: routers'))
    expect(events(notifyFile)).toEqual(['environment:unhealthy', 'environment:recovered'])
    const envs = JSON.parse((await runCli(['envs', '--json'], { cwd })).stdout) as { environments: Array<{ name: string; health: { verdict?: { verdict: string; source: string } } }> }
    expect(envs.environments.find((e) => e.name === 'staging')!.health.verdict).toMatchObject({ verdict: 'recovered', source: 'watch' })
  }, 180_000)
})
