/** Ambient types for the untyped `espeak-ng` Emscripten module (only what the stand-in uses). */
declare module "espeak-ng" {
  /** The Emscripten in-memory file system of one instance. */
  export interface EmscriptenFs {
    writeFile(path: string, data: string | Uint8Array): void;
    readFile(path: string): Uint8Array;
  }

  /** A finished run of the `espeak-ng` command line. */
  export interface ESpeakNgInstance {
    FS: EmscriptenFs;
  }

  /** Emscripten module options; `arguments` are the espeak-ng command-line arguments. */
  export interface ESpeakNgOptions {
    arguments: string[];
    print?: (line: string) => void;
    printErr?: (line: string) => void;
    preRun?: Array<(module: ESpeakNgInstance) => void>;
  }

  /** Instantiates the WASM module and runs `main(arguments)` once. */
  export default function ESpeakNg(options: ESpeakNgOptions): Promise<ESpeakNgInstance>;
}
