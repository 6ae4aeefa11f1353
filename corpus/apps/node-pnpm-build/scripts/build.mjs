// Bundles src/ into dist/server.js with esbuild (a development dependency).
import { build } from "esbuild";

await build({
  entryPoints: ["src/server.js"],
  bundle: true,
  platform: "node",
  target: "node20",
  outfile: "dist/server.js",
  external: ["ms"],
});
