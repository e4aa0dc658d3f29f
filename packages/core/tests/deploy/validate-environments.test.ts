import { afterEach, describe, expect, it } from 'vitest'
import { createEngine } from '../../src/engine/engine.js'
import { tempProject, type TempProject } from '../engine/helpers.js'
import { processTargetPlugin } from './helpers.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.cleanup()
  project = undefined
})

async function problems(yaml: string): Promise<string[]> {
  project = await tempProject(yaml)
  return (await createEngine({ plugins: [processTargetPlugin] }).validate(project.file)).map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`)
}

describe('validating environments and deploy stages', () => {
  it('reports every problem with its line and column', async () => {
    expect(
      await problems(`name: shop
environments:
  staging:
    url: http://127.0.0.1:8101
    target: { uses: deploy/process, with: { command: "node server.js", instances: 2 } }
  production:
    url: http://127.0.0.1:8101
    target: { uses: deploy/kubernetes }
    protection: { approvals: 2, freeze: ["* 25 * * 5", { cron: "* * * * *", timezone: Mars/Olympus }] }
  Bad_Name:
    url: https://example.com
    target: { uses: deploy/process, with: { command: [node] } }
stages:
  build: { run: make, artifacts: [dist/**] }
  a: { deploy: { environment: stagin, version: "1", from: build/dist } }
  b: { needs: [build], deploy: { environment: staging, version: "1", from: ../etc, strategy: blue-grean } }
  c: { needs: [build], deploy: { environment: staging, version: "1", strategy: { canary: { steps: [50, 10] } } } }
  d: { needs: [build], run: make, deploy: { environment: staging, rollback: true, version: "2" } }
  e: { deploy: { environment: staging, from: build/dist, image: app } }
`),
    ).toEqual([
      '5:45 environments.staging.target.with.command: Expected array, got string "node server.js"',
      '5:72 environments.staging.target.with.instances: Unknown key "instances".',
      '7:5 environments.production.url: http://127.0.0.1:8101 is already the url of environment "staging": each environment needs its own port',
      '8:15 environments.production.target.uses: Unknown target type "deploy/kubernetes". Known target types: deploy/process. Is its plugin listed in `plugins:`?',
      '9:42 environments.production.protection.freeze.0: Invalid cron expression "* 25 * * 5": Invalid value for hour: 25',
      '9:56 environments.production.protection.freeze.1: Unknown time zone "Mars/Olympus": use an IANA name such as Europe/Berlin or UTC',
      '10:3 environments.Bad_Name: Invalid key "Bad_Name": Environment names are lower case letters, digits and -',
      '15:18 stages.a.deploy.environment: Unknown environment "stagin". Did you mean "staging"?',
      '15:53 stages.a.deploy.from: "build/dist" names the artifacts of stage "build", which is not among the needs of "a": add it to `needs:`',
      '16:70 stages.b.deploy.from: "../etc" leaves the workspace: use <need>/<dir> or a relative path without ..',
      '16:84 stages.b.deploy.strategy: Invalid option: expected one of "recreate"|"rolling"|"blue-green"|"canary"',
      '17:92 stages.c.deploy.strategy.canary.steps: Canary steps must increase, e.g. [10, 50, 100]',
      '18:35 stages.d.deploy: A stage has one of `run:`, `uses:` and `deploy:`, not `run:` and `deploy:`',
      '18:83 stages.d.deploy.version: `rollback:` deploys a version the environment ran before: leave out `version:`, `from:` and `image:`',
      '19:8 stages.e.deploy.version: A deploy needs a `version:` (or `rollback:`)',
      '19:40 stages.e.deploy.from: "build/dist" names the artifacts of stage "build", which is not among the needs of "e": add it to `needs:`',
      '19:58 stages.e.deploy.image: A deploy has either `from:` (files) or `image:`, not both',
    ])
  })

  it('refuses a bad analysis between canary steps, naming each problem and its place', async () => {
    expect(
      await problems(`name: shop
environments:
  staging:
    url: http://127.0.0.1:8101
    target: { uses: deploy/process, with: { command: [node, server.js] } }
    strategy: { canary: { steps: [10, 50], analysis: { monitors: [{ uses: monitoring/http }] } } }
stages:
  a: { deploy: { environment: staging, version: "1", strategy: { canary: { steps: [20], analysis: { count: 0, failure-limit: -1, monitors: [], wait: 1s } } } } }
  b: { deploy: { environment: staging, version: "1", strategy: { canary: { steps: [20], analysis: { count: 5, success-condition: "result.status ==", monitors: [{ uses: monitoring/htp }] } } } } }
`),
    ).toEqual([
      '6:44 environments.staging.strategy.canary.analysis: An analysis needs `count:` or `window:` (when to stop)',
      // No monitor plugin is loaded here: every monitor type is unknown, and said so where it is named.
      '6:69 environments.staging.strategy.canary.analysis.monitors.0.uses: Unknown monitor type "monitoring/http". No plugin providing monitor types is loaded. Is its plugin listed in `plugins:`?',
      '8:101 stages.a.deploy.strategy.canary.analysis.count: Too small: expected number to be >=1',
      '8:111 stages.a.deploy.strategy.canary.analysis.failure-limit: Too small: expected number to be >=0',
      '8:130 stages.a.deploy.strategy.canary.analysis.monitors: Too small: expected array to have >=1 items',
      '8:144 stages.a.deploy.strategy.canary.analysis.wait: Unknown key "wait".',
      '9:111 stages.b.deploy.strategy.canary.analysis.success-condition: Invalid expression "result.status ==": Expected expression after == at position 17',
      '9:163 stages.b.deploy.strategy.canary.analysis.monitors.0.uses: Unknown monitor type "monitoring/htp". No plugin providing monitor types is loaded. Is its plugin listed in `plugins:`?',
    ])
  })

  it('accepts a complete example', async () => {
    expect(
      await problems(`name: shop
environments:
  staging:
    url: "http://127.0.0.1:\${{ vars.port || '8101' }}"
    target: { uses: deploy/process, with: { command: [node, server.js] } }
    strategy: { blue-green: { keep-previous: 10m } }
  production:
    url: http://127.0.0.1:8102
    target: { uses: deploy/process, with: { command: [node, server.js] } }
    instances: 3
    health: { path: /healthz, expect-status: [200], startup-timeout: 30s }
    protection: { approvals: 2, allow-self-approval: false, branches: [main], freeze: ["* 17-23 * * 5"], approval-timeout: 24h }
stages:
  build: { run: make, artifacts: [dist/**] }
  deploy-staging: { needs: [build], deploy: { environment: staging, version: "\${{ run.id }}", from: build/dist } }
  deploy-prod: { needs: [build, deploy-staging], deploy: { environment: production, version: "\${{ stages.deploy-staging.outputs.version }}", from: build/dist, strategy: { canary: { steps: [10, 50, 100], pause: 30s } } } }
  back: { needs: [deploy-prod], if: failure(), deploy: { environment: production, rollback: true } }
`),
    ).toEqual([])
  })
})
