import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { freePort, stagingPipeline, useDeployedProjects } from './helpers/deploy-project.js'
import { runCli, startCli } from './helpers/cli.js'

/** A service that exits with code 3 as soon as CRASH_FILE exists (also at start): a crash loop on demand. */
const SERVICE = `import { createServer } from 'node:http'
import { existsSync } from 'node:fs'
const crashed = () => existsSync(process.env.CRASH_FILE)
if (crashed()) process.exit(3)
setInterval(() => crashed() && process.exit(3), 100)
createServer((req, res) => res.writeHead(200).end('ok')).listen(Number(process.env.PORT), '127.0.0.1')
`

function pipeline(port: number, crashFile: string): string {
  return stagingPipeline(port, { env: { CRASH_FILE: crashFile }, monitors: '      interval: 300ms\n      unhealthy-after: 2\n      monitors:\n        - uses: monitoring/process\n          with: { environment: staging }' })
}

describe('pipewright monitor (real agent, real processes)', () => {
  const projects = useDeployedProjects()

  it('alerts when a crashing instance makes the environment unhealthy, and records that the agent gave up restarting it', async () => {
    const port = await freePort()
    let crashFile = ''
    const deployed = await projects.create({ 'server.mjs': SERVICE }, (dir) => pipeline(port, (crashFile = join(dir, 'crash-now'))))
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0)
    const cwd = deployed.dir

    const monitor = (projects.state.cli = startCli(['monitor', 'staging'], { cwd }))
    await monitor.waitFor(/watching staging \(http:\/\/127\.0\.0\.1:\d+\) with monitoring\/process/)
    writeFileSync(crashFile, 'crash\n')
    const [alert] = await monitor.waitFor(/UNHEALTHY staging: 2 failed measurement\(s\) in a row; last: monitoring\/process failed .*/)
    expect(alert).toMatch(/environment staging has 0 of 1 instance\(s\) running/)

    // The agent restarts it with a back-off and gives up at its limit; the health history says so.
    let reason = ''
    for (let i = 0; i < 120 && !reason.includes('gave up after'); i++) {
      await new Promise((r) => setTimeout(r, 500))
      const envs = JSON.parse((await runCli(['envs', '--json'], { cwd })).stdout) as { environments: Array<{ health: { verdict?: { verdict: string }; samples: Array<{ reason?: string }> } }> }
      reason = envs.environments[0]!.health.samples[0]?.reason ?? ''
      expect(envs.environments[0]!.health.verdict?.verdict).toBe('unhealthy')
    }
    expect(reason).toMatch(/staging-\w+ failed \(gave up after 5 restart\(s\): crashed 6 times within 600 s/)
    monitor.child.kill('SIGINT')
    expect((await monitor.done).code).toBe(0)
  }, 180_000)
})
