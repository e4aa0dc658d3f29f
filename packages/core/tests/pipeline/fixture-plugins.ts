import { definePlugin, z } from '@pipewright/plugin-api'

/** A plugin with one stage type and one gate type whose configs have nested fields. */
export const dockerLike = definePlugin({
  id: 'docker',
  apiVersion: 1,
  register(api) {
    api.stage('build', {
      configSchema: z.strictObject({
        tag: z.string(),
        context: z.string().default('.'),
        push: z.strictObject({ registry: z.string(), retries: z.number().int().optional() }).optional(),
      }),
      run: async () => undefined,
    })
    api.gate('image-size', {
      configSchema: z.strictObject({ max: z.number() }),
      evaluate: async () => ({ verdict: 'pass', reason: 'ok', evidence: {} }),
    })
  },
})

/** A plugin whose stage type takes no configuration schema at all. */
export const noSchema = definePlugin({
  id: 'shell',
  apiVersion: 1,
  register(api) {
    api.stage('script', { run: async () => undefined })
  },
})

/** Stage types that declare the records they write, and a gate that declares what it reads. */
export const linterLike = definePlugin({
  id: 'linter',
  apiVersion: 1,
  register(api) {
    api.stage('eslint', { records: ['linter.problems'], run: async () => undefined })
    api.stage('sarif', { records: ['linter.problems'], run: async () => undefined })
    api.gate('max-issues', { reads: ['linter.problems'], evaluate: async () => ({ verdict: 'pass', reason: 'ok' }) })
  },
})

/** A stage type that writes a record no gate here reads, and a gate that declares nothing. */
export const reportsLike = definePlugin({
  id: 'reports',
  apiVersion: 1,
  register(api) {
    api.stage('junit', { records: ['reports.junit'], run: async () => undefined })
    api.gate('anything', { evaluate: async () => ({ verdict: 'pass', reason: 'ok' }) })
  },
})
