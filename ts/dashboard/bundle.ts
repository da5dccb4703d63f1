/**
 * The page, bundled with esbuild when the server starts (about 0.1 s): page/app.ts with uPlot and
 * the stylesheets, into one script and one stylesheet held in memory. Nothing is fetched at run
 * time; the page loads only these two files from the dashboard itself.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";

export interface PageBundle {
  readonly js: string;
  readonly css: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));

let cached: Promise<PageBundle> | undefined;

export function bundlePage(): Promise<PageBundle> {
  cached ??= build({
    entryPoints: [path.join(here, "page", "app.ts")],
    bundle: true,
    write: false,
    minify: true,
    format: "iife",
    target: "es2020",
    outdir: "out",
    logLevel: "silent",
  }).then((r) => {
    const file = (ext: string): string => r.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? "";
    return { js: file(".js"), css: file(".css") };
  });
  return cached;
}

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bitlayer LVM bridge</title>
<link rel="stylesheet" href="/assets/app.css">
</head>
<body>
<header>
  <h1>Bitlayer LVM <span>bridge</span></h1>
  <div id="live" class="live" data-state="connecting">connecting…</div>
</header>
<main id="app"><p class="muted">Loading…</p></main>
<script src="/assets/app.js"></script>
</body>
</html>
`;
