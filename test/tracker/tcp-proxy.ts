// A TCP proxy between a client and the Postgres server that a test can cut, restore, and make lose
// the acknowledgement of the next COMMIT (the server commits; the client never hears of it).
import net from "node:net";

export interface TcpProxy {
  readonly port: number;
  /** Closes every connection and refuses new ones. */
  cut(): Promise<void>;
  /** Accepts connections again. */
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
  const watches: { needle: Buffer; count: number }[] = [];
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
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
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (loseAck && chunk.includes(commitTag)) {
        loseAck = false;
        lostAcks++;
        kill();
        return;
      }
      client.write(chunk);
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
    // A graceful close (FIN). A reset (RST) in the middle of a transaction makes postgres.js 3.4
    // throw an uncaught TypeError from a timer (writing to its closed socket): see docs/tracker.md.
    for (const socket of sockets) socket.end();
    sockets.clear();
    await closed;
  };
  return {
    port,
    cut,
    restore: () => listen(port),
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
      if (server.listening) await cut();
    },
  };
}
