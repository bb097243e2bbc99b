/** A throwaway TLS certificate for the proxy journeys, made by the system's `openssl`. */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

/** Paths and PEM text of a certificate and its key. */
export interface TlsCert {
  certFile: string;
  keyFile: string;
  /** The certificate (PEM): a client trusts it as its own authority. */
  pem: string;
}

/** A self-signed certificate for `127.0.0.1` and `localhost` (EC P-256, one day), written to `dir`. */
export async function selfSignedCert(dir: string): Promise<TlsCert> {
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  await promisify(execFile)("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=voice-agent e2e proxy",
    "-addext",
    "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost",
    "-keyout",
    keyFile,
    "-out",
    certFile,
  ]);
  return { certFile, keyFile, pem: await readFile(certFile, "utf8") };
}
