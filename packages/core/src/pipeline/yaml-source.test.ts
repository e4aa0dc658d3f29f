import { describe, expect, it } from 'vitest'
import { parseCarefully, parsePipelineYaml } from './yaml-source.js'

const SAMPLES = [
  'name: a\nstages:\n  x: { run: "true", needs: [y, z], retry: 2, timeout: 10m }\n',
  'name: b\nenv: { N: 1, F: 1.5, B: true, S: "yes", NOTHING: null, OCT: 0o14, HEX: 0x1f, DATE: 2024-01-01, TILDE: ~ }\nstages: {}\n',
  'name: c\nstages:\n  s:\n    run: |\n      echo "a"\n      echo \'b\'\n    env:\n      on: off\n      "<<": x\n',
  'name: d # comment\nstages:\n  s: { run: [node, -e, "console.log(1)"], matrix: { v: [18, 20, "22"] } }\n',
]

describe('parsePipelineYaml', () => {
  it.each(SAMPLES)('reads the same values on the fast path as the careful one (%#)', (text) => {
    expect(parsePipelineYaml(text, 'p.yml').input).toEqual(parseCarefully(text, 'p.yml').input)
  })

  it('locates problems lazily with the careful parser', () => {
    const { locator } = parsePipelineYaml('name: a\nstages:\n  build:\n    run: x\n', 'p.yml')
    expect(locator.locate(['stages', 'build', 'run'])).toEqual({ line: 4, column: 5 })
  })

  it('reports every syntax error with positions (duplicate keys too)', () => {
    expect(() => parsePipelineYaml('name: a\nname: b\nstages: {}\n', 'p.yml')).toThrow(/p\.yml:2:1/)
  })

  it('takes the careful path for anchors, limiting alias expansion', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n')
    expect(() => parsePipelineYaml(bomb, 'p.yml')).toThrow(/alias/i)
  })
})
