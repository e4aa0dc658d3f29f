import { pipewrightProject } from '../../vitest.shared.ts'

// The tests spawn the built CLI (dist/bin.js), so the build runs once up front when stale.
export default pipewrightProject('cli', {
  globalSetup: [new URL('./tests/global-setup.ts', import.meta.url).pathname],
  testTimeout: 60_000,
})
