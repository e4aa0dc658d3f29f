import { useState } from 'preact/hooks'
import { api, ApiError } from '../api.js'
import type { Me } from '../types.js'

export function SignIn({ onSignedIn, notice }: { onSignedIn: (token: string, me: Me) => void; notice?: string }) {
  const [token, setToken] = useState('')
  const [error, setError] = useState<string | undefined>()
  const [busy, setBusy] = useState(false)
  async function submit(e: Event) {
    e.preventDefault()
    const t = token.trim()
    if (!t) return setError('Paste an API token.')
    setBusy(true)
    setError(undefined)
    try {
      onSignedIn(t, await api.me(t))
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'The server does not know this token. Create one with: pipewright token create --name <you> --role viewer' : String((err as Error).message))
    } finally {
      setBusy(false)
    }
  }
  return (
    <div class="signin">
      <form class="card" onSubmit={submit}>
        <h1>Pipewright</h1>
        <p class="muted">Sign in with an API token. It is kept in this tab only (sessionStorage).</p>
        {notice && <p class="notice">{notice}</p>}
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autocomplete="off" value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value)} autofocus />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button class="btn btn-primary" type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  )
}
