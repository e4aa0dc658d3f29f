import { pipewrightProject } from '../../vitest.shared.ts'

export default pipewrightProject('server', { testTimeout: 60_000 })
