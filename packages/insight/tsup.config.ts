import { pipewrightBuild } from '../../tsup.shared.ts'

// The charts' renderer (vega) is imported only when a report asks for charts (md, html).
export default pipewrightBuild({ entry: ['src/index.ts'], external: ['vega', 'vega-lite'] })
