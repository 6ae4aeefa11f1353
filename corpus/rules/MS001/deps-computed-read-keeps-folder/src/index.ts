import { readFileSync } from "node:fs";
import path from "node:path";

export function template(name: string): string {
  return readFileSync(path.join(__dirname, "..", "templates", `${name}.txt`), "utf8");
}
