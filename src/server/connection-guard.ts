import type { IncomingMessage, Server } from "node:http";
import type { Socket } from "node:net";
import type { Context } from "hono";

/**
 * Per-client limits on the service's TCP connections, which the HTTP layer never sees: at most
 * `maxPerClient` open sockets per remote address (each holds a file descriptor; a client opening
 * thousands of idle ones would exhaust them), and a socket that has not authenticated a request is
 * closed once it has been idle `unauthenticatedIdleMs` (Node's own header timeout leaves a silent
 * socket open for a minute or more). Counts are by the socket's address: behind a reverse proxy all
 * connections come from the proxy, so raise the cap there.
 */
export interface ConnectionGuard {
  /** Applies the limits to every connection the server accepts from now on. */
  attach(server: Server): void;
  /** The request in `context` authenticated: its socket may stay open as long as Node keeps it. */
  markAuthenticated(context: Context): void;
  /** Open connections from `address`. */
  connectionsFrom(address: string): number;
}

export function createConnectionGuard(options: {
  maxPerClient: number;
  unauthenticatedIdleMs: number;
  onRefused?: ((address: string) => void) | undefined;
}): ConnectionGuard {
  const open = new Map<string, number>();
  const authenticated = new WeakSet<Socket>();
  const requestsInFlight = new WeakMap<Socket, number>();

  const closeWhenIdle = (socket: Socket) => {
    const timer = setTimeout(function check() {
      if (authenticated.has(socket) || socket.destroyed) return;
      if ((requestsInFlight.get(socket) ?? 0) > 0) timer.refresh();
      else socket.destroy();
    }, options.unauthenticatedIdleMs);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
  };

  return {
    attach(server) {
      server.on("connection", (socket: Socket) => {
        const address = socket.remoteAddress ?? "unknown";
        const count = (open.get(address) ?? 0) + 1;
        if (count > options.maxPerClient) {
          socket.destroy();
          options.onRefused?.(address);
          return;
        }
        open.set(address, count);
        socket.once("close", () => {
          const left = (open.get(address) ?? 1) - 1;
          if (left > 0) open.set(address, left);
          else open.delete(address);
        });
        closeWhenIdle(socket);
      });
      server.on("request", (request: IncomingMessage, response) => {
        const socket = request.socket;
        requestsInFlight.set(socket, (requestsInFlight.get(socket) ?? 0) + 1);
        response.once("close", () => requestsInFlight.set(socket, (requestsInFlight.get(socket) ?? 1) - 1));
      });
    },
    markAuthenticated(context) {
      const incoming = (context.env as { incoming?: IncomingMessage } | undefined)?.incoming;
      if (incoming) authenticated.add(incoming.socket);
    },
    connectionsFrom: (address) => open.get(address) ?? 0,
  };
}
