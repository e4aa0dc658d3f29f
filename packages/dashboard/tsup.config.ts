import { pipewrightBuild } from '../../tsup.shared.ts'

// The Node side (registerDashboard). The browser bundle is built by scripts/build-ui.mjs (esbuild) into dist/ui.
export default pipewrightBuild()
