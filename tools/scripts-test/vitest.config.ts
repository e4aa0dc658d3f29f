import { pipewrightProject } from '../../vitest.shared.ts'

// Runs the repo's scripts as processes (setup.mjs, vitest with the summary reporter).
export default pipewrightProject('scripts-test', { testTimeout: 120_000 })
