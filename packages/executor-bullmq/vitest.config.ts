import { pipewrightProject } from '../../vitest.shared.ts'

export default pipewrightProject('executor-bullmq')
