/** A TLS front for tests: what the reverse proxy is in production, with a throwaway certificate from `openssl`. */
import { execFile } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { connect, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:tls";
import { promisify } from "node:util";

/** Ends TLS on a free port of 127.0.0.1 and passes the bytes to `target` (`http://127.0.0.1:<port>`). */
export async function tlsFront(target: string): Promise<{ url: string; ca: string; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "relay-tls-"));
  const [key, cert] = [join(dir, "key.pem"), join(dir, "cert.pem")];
  await promisify(execFile)("openssl", [
    ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"],
    ...["-subj", "/CN=relay test front", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
  ]);
  const ca = await readFile(cert, "utf8");
  const { hostname, port } = new URL(target);
  const server = createServer({ key: await readFile(key), cert: ca }, (socket) => {
    const upstream = connect(Number(port), hostname);
    socket.on("error", () => upstream.destroy());
    upstream.on("error", () => socket.destroy());
    socket.pipe(upstream).pipe(socket);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const close = async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  };
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, ca, close };
}
