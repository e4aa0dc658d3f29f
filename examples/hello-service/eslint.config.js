import js from '@eslint/js'

export default [
  { ignores: ['dist/**', 'coverage/**', '.pipewright/**', '.work/**'] },
  js.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', fetch: 'readonly' },
    },
  },
]
