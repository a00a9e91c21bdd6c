import { createDatabase, createLogger } from '@monlight/core'
import { expect, it } from 'vitest'
import { createErrorsSlot } from './errors.js'

it('says at start when ALERT_EMAILS has no mail channel to go through', async () => {
  const database = await createDatabase({ sqlite: ':memory:' })
  const slot = (env: Record<string, string>) => {
    const warnings: string[] = []
    const logger = {
      ...createLogger({ level: 'silent' }),
      warn: (message: string) => void warnings.push(message),
    }
    createErrorsSlot({ name: 'errors', database, apiKeys: ['k'], logger, env, modules: new Map() })
    return warnings
  }
  expect(slot({ ALERT_EMAILS: 'ops@example.com' })).toEqual([
    'ALERT_EMAILS is set but no mail channel is: set SMTP_HOST (and SMTP_FROM) or POSTMARK_API_TOKEN, or no alert is mailed',
  ])
  expect(slot({ ALERT_EMAILS: 'ops@example.com', SMTP_HOST: 'mail' })).toEqual([])
  expect(slot({ ALERT_EMAILS: 'ops@example.com', POSTMARK_API_TOKEN: 't' })).toEqual([])
  await database.destroy()
})
