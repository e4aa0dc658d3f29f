import { pipewrightProject } from '../../vitest.shared.ts'

// Real processes and HTTP on a shared 2-core machine: files run one at a time, with room to breathe.
export default pipewrightProject('agent', {
  fileParallelism: false,
  testTimeout: 120_000,
  globalSetup: [new URL('./tests/global-setup.ts', import.meta.url).pathname],
})
