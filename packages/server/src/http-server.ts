import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { MonlightConfigError } from '@monlight/core'

/** A listening `node:http` server that can shut down gracefully. */
export interface HttpServer {
  readonly server: Server
  /** The bound port (the real one when 0 was asked). */
  readonly port: number
  /**
   * Stops accepting connections, closes idle keep-alive connections at once, lets in-flight requests finish,
   * and cuts whatever is still open after `graceMs`.
   */
  close(graceMs: number): Promise<void>
}

/**
 * Listens on `host:port`. `label` names the server in errors ("port 5010 (errors) is already in use").
 */
export async function listen(
  listener: RequestListener,
  port: number,
  host: string,
  label: string,
): Promise<HttpServer> {
  const server = createServer(listener)
  const inFlight = new Set<ServerResponse>()
  let closing = false
  const closeIdle = () => server.closeIdleConnections()

  server.on('request', (_req, res: ServerResponse) => {
    // A request on a kept-alive connection while draining: answer it, then let the connection go.
    if (closing) res.setHeader('connection', 'close')
    inFlight.add(res)
    res.once('close', () => {
      inFlight.delete(res)
      // The connection turns idle only after this tick; close it then rather than after keepAliveTimeout.
      if (closing) setImmediate(closeIdle)
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(listenError(error as NodeJS.ErrnoException, port, host, label)))
    server.listen(port, host, () => resolve())
  })

  let closed: Promise<void> | undefined
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close(graceMs) {
      closed ??= new Promise<void>((resolve) => {
        closing = true
        for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close')
        const force = setTimeout(() => server.closeAllConnections(), graceMs)
        server.close(() => {
          clearTimeout(force)
          resolve()
        })
        closeIdle()
      })
      return closed
    },
  }
}

function listenError(error: NodeJS.ErrnoException, port: number, host: string, label: string): Error {
  const where = `port ${port} (${label}) on ${host}`
  switch (error.code) {
    case 'EADDRINUSE':
      return new MonlightConfigError(
        `Cannot listen on ${where}: the port is already in use. Stop the other process, or choose other ports with --port / --ports (MONLIGHT_PORT / MONLIGHT_PORTS)`,
        { cause: error },
      )
    case 'EACCES':
      return new MonlightConfigError(`Cannot listen on ${where}: permission denied. Use a port above 1023`, {
        cause: error,
      })
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new MonlightConfigError(
        `Cannot listen on ${where}: no such local address. Check --host (MONLIGHT_HOST), e.g. 0.0.0.0 or 127.0.0.1`,
        { cause: error },
      )
    default:
      return error
  }
}
