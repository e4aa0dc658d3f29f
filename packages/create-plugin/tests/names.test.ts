import { describe, expect, it } from 'vitest'
import { pluginNames } from '../src/names.js'

describe('pluginNames', () => {
  it.each([
    ['slack', { packageName: 'pipewright-plugin-slack', id: 'slack', dirName: 'pipewright-plugin-slack' }],
    ['pipewright-plugin-slack', { packageName: 'pipewright-plugin-slack', id: 'slack', dirName: 'pipewright-plugin-slack' }],
    ['@acme/pipewright-plugin-k8s', { packageName: '@acme/pipewright-plugin-k8s', id: 'k8s', dirName: 'pipewright-plugin-k8s' }],
    ['@acme/deploy-tools', { packageName: '@acme/deploy-tools', id: 'deploy-tools', dirName: 'deploy-tools' }],
  ])('derives names from %s', (name, expected) => {
    expect(pluginNames(name)).toEqual(expected)
  })

  it.each(['Slack', 'my plugin', '@acme/', 'pipewright-plugin-1up', '9lives'])('refuses %j with PW_ERR_USAGE', (name) => {
    expect(() => pluginNames(name)).toThrow(expect.objectContaining({ code: 'PW_ERR_USAGE' }))
  })
})
