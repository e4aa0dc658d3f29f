// Bundles the service into dist/ with a small manifest: the "build" of the example pipeline.
// dist/ runs on its own: the runtime dependencies (package.json `dependencies`, and theirs) are
// copied into dist/node_modules with symlinks resolved, so the image (Dockerfile) needs no install.
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

rmSync('dist', { recursive: true, force: true })
mkdirSync('dist', { recursive: true })
cpSync('src', 'dist/src', { recursive: true })
const files = readdirSync('dist/src').sort()
const digest = createHash('sha256')
for (const f of files) digest.update(readFileSync(`dist/src/${f}`))
const pkg = JSON.parse(readFileSync('package.json', 'utf8'))

/** The directory of package `name` as Node would find it from `from` (walking up node_modules). */
function packageDir(name, from) {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate)
    if (dirname(dir) === dir) throw new Error(`build: cannot find the dependency ${name} from ${from}; run the install first`)
  }
}

// A flat node_modules: fine while no two packages need different versions of one dependency.
const vendored = new Map()
function vendor(name, from) {
  const dir = packageDir(name, from)
  const { version, dependencies = {} } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  const seen = vendored.get(name)
  if (seen !== undefined) {
    if (seen !== version) throw new Error(`build: ${name} is needed at ${seen} and ${version}; a flat dist/node_modules cannot hold both`)
    return
  }
  vendored.set(name, version)
  cpSync(dir, join('dist/node_modules', name), { recursive: true, dereference: true, filter: (src) => !src.includes(`${dir}/node_modules`) })
  for (const dep of Object.keys(dependencies)) vendor(dep, dir)
}
for (const name of Object.keys(pkg.dependencies ?? {})) vendor(name, '.')

const dependencies = Object.fromEntries([...vendored].sort(([a], [b]) => a.localeCompare(b)))
const manifest = { name: pkg.name, version: pkg.version, files, sha256: digest.digest('hex'), dependencies }
writeFileSync('dist/manifest.json', JSON.stringify(manifest, null, 2))
console.log(`built ${files.length} files, sha256 ${manifest.sha256.slice(0, 12)}, ${vendored.size} runtime dependencies`)
