import { createEngine, createMemoryStore } from '@pipewright/core'

const engine = createEngine({ store: createMemoryStore() })
engine.on('stage:log', (e) => console.log(`${e.stageId} | ${e.line}`))
engine.on('stage:finished', (e) => console.log(`${e.stageId}: ${e.status}`))
engine.on('gate:evaluated', (e) => console.log(`gate ${e.gate}: ${e.verdict} (${e.reason})`))

const problems = await engine.validate('/work/main/packages/core/.pwdoc-tmp/pipewright.yml')
if (problems.length > 0) throw new Error(problems.map((p) => p.message).join('\n'))

const handle = await engine.run('/work/main/packages/core/.pwdoc-tmp/pipewright.yml', { vars: { version: '1.0.0' } })
const result = await handle.result
console.log(result.status, result.stages.map((s) => `${s.id}=${s.status}`).join(' '))
console.log('plugins:', (await engine.plugins()).map((p) => `${p.id}: ${p.stages.join(',')} ${p.gates.join(',')}`))
await engine.close()
