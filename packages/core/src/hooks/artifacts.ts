import type { KernelHook } from '../kernel/hook-chain.js'

/** Collects the stage's `artifacts:` globs once it succeeded, first of the `verify` providers. */
export const artifactsHook: KernelHook = {
  name: 'artifacts',
  async verify(stage) {
    const patterns = stage.spec.artifacts
    if (!patterns?.length) return
    const stored = await stage.session.input.artifacts.collect(stage.workspace, patterns)
    for (const a of stored) {
      stage.artifacts.push(a)
      stage.session.artifactStored(stage.stageId, a)
    }
  },
}
