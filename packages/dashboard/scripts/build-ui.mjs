// Builds the browser bundle: ui/main.tsx (preact, dagre, ansi_up, all bundled — no CDN at run
// time) into dist/ui/assets with content-hashed names, and dist/ui/index.html pointing at them.
//   node scripts/build-ui.mjs [outDir]
import { build } from 'esbuild'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

export async function buildUi(outDir = join(root, 'dist/ui')) {
  await rm(outDir, { recursive: true, force: true })
  await mkdir(join(outDir, 'assets'), { recursive: true })
  const result = await build({
    entryPoints: [join(root, 'ui/main.tsx'), join(root, 'ui/styles.css')],
    outdir: join(outDir, 'assets'),
    entryNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'esm',
    target: ['chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(root, 'ui/tsconfig.json'),
    metafile: true,
    logLevel: 'warning',
    legalComments: 'linked',
  })
  const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p))
  const js = outputs.find((f) => /^main-.*\.js$/.test(f))
  const css = outputs.find((f) => /^styles-.*\.css$/.test(f))
  if (!js || !css) throw new Error(`build-ui: missing outputs in ${outputs.join(', ')}`)
  const html = (await readFile(join(root, 'ui/index.html'), 'utf8')).replace('%JS%', js).replace('%CSS%', css)
  await writeFile(join(outDir, 'index.html'), html)
  return { outDir, js, css }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = Date.now()
  const { outDir, js } = await buildUi(process.argv[2] ? resolve(process.argv[2]) : undefined)
  console.log(`dashboard: built ${outDir} (${js}) in ${Date.now() - t0} ms`)
}
