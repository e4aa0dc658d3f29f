import { existsSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'
import { dashboardAssetsDir } from '@pipewright/dashboard'
import { join } from 'node:path'

/** Debian's Chromium (tools/services/chromium.sh), never a browser Playwright downloads. */
export const CHROMIUM = process.env.PIPEWRIGHT_CHROMIUM ?? '/usr/bin/chromium'

/** Fails with the fix when a part the browser tests need is missing (no silent skip). */
export function assertBrowserPrerequisites(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium with \`bash tools/services/chromium.sh\` (as root), or set PIPEWRIGHT_CHROMIUM`)
  if (!existsSync(join(dashboardAssetsDir(), 'index.html'))) throw new Error('The dashboard is not built: run `pnpm --filter @pipewright/dashboard build` (or `pnpm build`)')
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM })
}

/** Signs in through the sign-in form, as a person does. */
export async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(`${url}/`)
  await page.fill('#token', token)
  await page.click('button[type=submit]')
  await page.waitForSelector('header.topbar .who')
}
