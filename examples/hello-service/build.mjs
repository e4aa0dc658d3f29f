// Bundles the service into dist/ with a small manifest: the "build" of the example pipeline.
import { createHash } from 'node:crypto'
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'

rmSync('dist', { recursive: true, force: true })
mkdirSync('dist', { recursive: true })
cpSync('src', 'dist/src', { recursive: true })
const files = readdirSync('dist/src').sort()
const digest = createHash('sha256')
for (const f of files) digest.update(readFileSync(`dist/src/${f}`))
const pkg = JSON.parse(readFileSync('package.json', 'utf8'))
const manifest = { name: pkg.name, version: pkg.version, files, sha256: digest.digest('hex') }
writeFileSync('dist/manifest.json', JSON.stringify(manifest, null, 2))
console.log(`built ${files.length} files, sha256 ${manifest.sha256.slice(0, 12)}`)
