import { createToken, definePlugin, durationSchema, PipewrightError, z } from '@pipewright/plugin-api'

/** A service other plugins can resolve after declaring `dependsOn: ['greet']`. */
export interface Greeter { greet(name: string): string }
export const GREETER = createToken<Greeter>('greet:greeter')

export default definePlugin({
  id: 'greet',
  apiVersion: 1,
  version: '1.0.0',
  configSchema: z.object({ greeting: z.string().default('Hello') }),
  register(api) {
    const { greeting } = api.config
    api.provide(GREETER, { useValue: { greet: (name) => `${greeting}, ${name}!` } })

    // `uses: greet/say` with `with: { name: ..., pause: 1s }`
    api.stage('say', {
      description: 'Prints a greeting and sets it as an output',
      configSchema: z.object({ name: z.string().min(1), pause: durationSchema.optional() }),
      outputs: ['message'],
      async run(ctx, config) {
        const message = ctx.resolve(GREETER).greet(config.name)
        const { exitCode, stdout } = await ctx.exec(['echo', message], { check: true })
        if (exitCode !== 0) throw new PipewrightError('PW_ERR_STAGE_FAILED', `Stage ${ctx.stageId}: echo failed`)
        ctx.outputs.set('message', stdout.trim())
        await ctx.artifacts.write('greeting.txt', stdout)
        ctx.summary(`greeted ${config.name}`)
      },
    })

    // `gates: [{ uses: greet/polite }]` after any stage
    api.gate('polite', {
      evaluate(ctx) {
        const message = ctx.stage.outputs.message ?? ''
        return message.includes(greeting)
          ? { verdict: 'pass', reason: 'The greeting is polite', evidence: { message } }
          : { verdict: 'fail', reason: `No "${greeting}" in the output`, evidence: { message } }
      },
    })
  },
})
