import { createEngine, createMemoryStore } from '@pipewright/core'
import { definePlugin } from '@pipewright/plugin-api'
import { buildApp } from './app.js'

// The whole embedding: an engine with your plugins and a store, and an HTTP API around it.
const hello = definePlugin({
  id: 'hello',
  apiVersion: 1,
  register(api) {
    api.stage('greet', { run: (ctx) => ctx.logger.info(`hello from run ${ctx.runId}`) })
  },
})

const engine = createEngine({ plugins: [hello], store: createMemoryStore() })
const app = buildApp({ engine, pipelinesDir: process.env.PIPELINES_DIR ?? process.cwd(), logger: true })
await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 3000) })

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await app.close()
    await engine.close()
    process.exit(0)
  })
}
