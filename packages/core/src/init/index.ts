export { detectProject } from './detect-project.js'
export type { PackageManager, ProjectInfo } from './detect-project.js'
export { STARTER_FILE_NAME, renderStarterPipeline, starterPipeline } from './starter-pipeline.js'
