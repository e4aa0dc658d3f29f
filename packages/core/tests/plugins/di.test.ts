import { afterEach, describe, expect, it } from 'vitest'
import { createEngine } from '../../src/engine/engine.js'
import { runFile, tempProject, type TempProject } from '../engine/helpers.js'
import counter from './fixtures/plugin-counter.js'
import services from './fixtures/plugin-services.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.cleanup()
  project = undefined
})

describe('dependency injection', () => {
  it('resolves every registered token: engine services, plugin config, and services across plugins', async () => {
    project = await tempProject('name: di\nstages:\n  all: { uses: services/resolve-all }\n  missing: { uses: services/resolve-missing }\n')
    const engine = createEngine({ plugins: [{ package: services, config: { greeting: 'Hi' } }, counter] })
    const { stage } = await runFile(project.file, {}, {}, engine)
    expect(JSON.parse(stage('all').outputs.resolved!)).toEqual({
      clock: 'number',
      events: 'function',
      logger: 'function',
      config: { greeting: 'Hi' },
      greeting: 'Hi Ada #1',
      counter: 2,
    })
    expect(stage('missing').error).toMatchObject({ code: 'PW_ERR_SERVICE_NOT_FOUND', message: expect.stringContaining('nobody.provides.this') })
  })
})
