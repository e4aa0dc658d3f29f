import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { api, onUnauthorized, tokenStore } from './api.js'
import { EnvironmentsPage } from './pages/environments.js'
import { InsightPage } from './pages/insight.js'
import { RunPage } from './pages/run.js'
import { RunsPage } from './pages/runs.js'
import { SignIn } from './pages/sign-in.js'
import { useRoute } from './router.js'
import type { Me } from './types.js'

function App() {
  const [me, setMe] = useState<Me | null>(null)
  const [checking, setChecking] = useState(() => tokenStore.get() !== null)
  const [notice, setNotice] = useState<string | undefined>()
  const route = useRoute()

  useEffect(() => {
    const token = tokenStore.get()
    if (token)
      api
        .me(token)
        .then(setMe)
        .catch(() => {
          tokenStore.clear()
          setNotice('Your session ended: sign in again.')
        })
        .finally(() => setChecking(false))
    return onUnauthorized(() => {
      tokenStore.clear()
      setMe(null)
      setNotice('The server refused the token (revoked or expired): sign in again.')
    })
  }, [])

  if (checking) return <div class="loading">Loading…</div>
  if (!me)
    return (
      <SignIn
        notice={notice}
        onSignedIn={(token, who) => {
          tokenStore.set(token)
          setNotice(undefined)
          setMe(who)
        }}
      />
    )
  return (
    <div class="app">
      <header class="topbar">
        <a class="brand" href="#/runs">Pipewright</a>
        <nav>
          <a href="#/runs" class={route.page === 'runs' || route.page === 'run' ? 'active' : ''}>Runs</a>
          <a href="#/environments" class={route.page === 'environments' ? 'active' : ''}>Environments</a>
          <a href="#/insight" class={route.page === 'insight' ? 'active' : ''}>Insight</a>
        </nav>
        <span class="who" data-role={me.role}>
          {me.name} <span class="role">{me.role}</span>
        </span>
        <button
          class="btn btn-small"
          onClick={() => {
            tokenStore.clear()
            setMe(null)
          }}
        >
          Sign out
        </button>
      </header>
      <main>
        {route.page === 'runs' && <RunsPage />}
        {route.page === 'run' && <RunPage key={route.id} id={route.id} stage={route.stage} me={me} />}
        {route.page === 'environments' && <EnvironmentsPage me={me} />}
        {route.page === 'insight' && <InsightPage since={route.since} />}
      </main>
    </div>
  )
}

render(<App />, document.getElementById('app')!)
