import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { PipewrightError } from '@pipewright/plugin-api'
import { pluginNames } from './names.js'
import { DEV_COMMANDS, pluginFiles } from './templates.js'

export interface GeneratePluginOptions {
  /** `slack`, `pipewright-plugin-slack` or `@acme/pipewright-plugin-slack`. */
  name: string
  /** The package directory to create; default `./<package name without scope>`. Must be empty or absent. */
  dir?: string
}

export interface GeneratedPlugin {
  /** Absolute path of the new package. */
  dir: string
  /** Relative paths of the files written, sorted. */
  files: string[]
  packageName: string
  pluginId: string
  /** What to run in the new package first, with the package manager its scripts and README use. */
  nextSteps: string[]
}

/** Writes a new plugin package: one stage, one gate, tests on the real engine, build and release setup. */
export async function generatePlugin(options: GeneratePluginOptions): Promise<GeneratedPlugin> {
  const names = pluginNames(options.name)
  const dir = resolve(options.dir ?? names.dirName)
  const existing = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return []
    throw error
  })
  if (existing.length > 0) {
    throw new PipewrightError('PW_ERR_USAGE', `Cannot create plugin ${names.packageName} in ${dir}: the directory is not empty`, {
      details: 'Pick a new directory (--dir) or remove the existing one.',
    })
  }
  const files = pluginFiles(names)
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true })
    await writeFile(join(dir, path), content)
  }
  return { dir, files: Object.keys(files).sort(), packageName: names.packageName, pluginId: names.id, nextSteps: [DEV_COMMANDS.install, DEV_COMMANDS.test] }
}
