// A real local HTTP receiver for alert deliveries: records every request and answers with the
// statuses queued (then 200), or never answers when told to hang.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedRequest[];
  /** Statuses to answer the next requests with, in order; 200 after them. */
  answers: number[];
  /** Leave requests unanswered (a receiver that is slow beyond any deadline). */
  hang: boolean;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const pending = new Set<() => void>();
  const receiver: WebhookReceiver = {
    url: "",
    received: [],
    answers: [],
    hang: false,
    close: () =>
      new Promise<void>((resolve) => {
        for (const release of pending) release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      receiver.received.push({
        path: request.url ?? "",
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      if (receiver.hang) {
        pending.add(() => response.destroy());
        return;
      }
      const status = receiver.answers.shift() ?? 200;
      response.writeHead(status, status === 302 ? { location: "http://127.0.0.1:1/elsewhere" } : {});
      response.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}
