/**
 * What the documentation's code samples use without defining it: the reader's own app, modules and values.
 * `packages/server/src/docs-samples.test.ts` typechecks every ```ts block of docs/ with these in scope, so a
 * sample that no longer matches the API fails the tests.
 */
import type { Database, Migration } from '@monlight/core'
import type { ErrorsModule, ErrorsService } from '@monlight/errors'
import type { LogsModule } from '@monlight/logs'
import type { RequestContext } from '@monlight/node'
import type { RelayModule } from '@monlight/relay'
import type { Express, Request } from 'express'
import type { EventHandler } from 'h3'
import type { Hono } from 'hono'
import type { Middleware } from 'koa'

declare global {
  // The host app and the Monlight modules created elsewhere on the page.
  const app: Express
  const hono: Hono
  const errors: ErrorsModule
  const logs: LogsModule
  const relay: RelayModule
  const database: Database
  const service: ErrorsService
  const migrations: Readonly<Record<string, Migration>>
  const serveIndex: EventHandler
  /** Your body parser, e.g. `@koa/bodyparser`. */
  function bodyParser(): Middleware
  // Keys and values of the reader's own code.
  const apiKey: string
  const adminKey: string
  const errorsKey: string
  const metricsKey: string
  const key: string
  const dsn: string
  const req: Request
  const user: { id: string }
  const cart: unknown
  const message: string
  const traceback: string
  const error: unknown
  const url: string
  const method: string
  const headers: Record<string, string>
  const userId: string
  const extra: Record<string, unknown>
  const context: RequestContext
  const queue: unknown[]
  const body: string
  function checkout(cart?: unknown): Promise<void>
  function deleteOld(signal: AbortSignal): Promise<void>
}
