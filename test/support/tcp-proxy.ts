// A TCP proxy between a client and the Postgres server that a test can cut (connections closed, new
// ones refused), freeze (connections stay open, nothing passes either way: a hung database or
// network), restore, and make lose the acknowledgement of the next COMMIT (the server commits; the
// client never hears of it).
import net from "node:net";

export interface TcpProxy {
  readonly port: number;
  /** Closes every connection and refuses new ones. */
  cut(): Promise<void>;
  /** Holds every byte in both directions until `restore()`. */
  freeze(): void;
  /** Passes traffic again: delivers what a freeze held, and accepts connections again after a cut. */
  restore(): Promise<void>;
  /** The next reply carrying a COMMIT's completion is swallowed and that connection killed. */
  loseNextCommitAck(): void;
  /** How many COMMIT acknowledgements were swallowed. */
  readonly lostAcks: number;
  /** From now on, counts the chunks sent by clients that contain `text`; returns the count so far. */
  watchClients(text: string): () => number;
  close(): Promise<void>;
}

const commitTag = Buffer.from("COMMIT\0");

/** Starts a proxy to `target` on a free local port. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let loseAck = false;
  let lostAcks = 0;
  let frozen = false;
  // While frozen, each direction's bytes are held here, in order, and delivered on restore.
  const held: Array<{ to: net.Socket; chunk: Buffer }> = [];
  const watches: { needle: Buffer; count: number }[] = [];
  const send = (to: net.Socket, chunk: Buffer) => {
    if (frozen) held.push({ to, chunk });
    else to.write(chunk);
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const kill = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", kill).on("close", kill);
    upstream.on("error", kill).on("close", kill);
    client.on("data", (chunk: Buffer) => {
      for (const watch of watches) if (chunk.includes(watch.needle)) watch.count++;
      send(upstream, chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (loseAck && chunk.includes(commitTag)) {
        loseAck = false;
        lostAcks++;
        kill();
        return;
      }
      send(client, chunk);
    });
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  const cut = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // A graceful close (FIN), as a server that shuts down sends.
    for (const socket of sockets) socket.end();
    sockets.clear();
    await closed;
  };
  return {
    port,
    cut,
    freeze() {
      frozen = true;
    },
    async restore() {
      frozen = false;
      for (const { to, chunk } of held.splice(0)) if (!to.destroyed) to.write(chunk);
      if (!server.listening) await listen(port);
    },
    loseNextCommitAck() {
      loseAck = true;
    },
    get lostAcks() {
      return lostAcks;
    },
    watchClients(text) {
      const watch = { needle: Buffer.from(text), count: 0 };
      watches.push(watch);
      return () => watch.count;
    },
    async close() {
      frozen = false;
      held.length = 0;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
