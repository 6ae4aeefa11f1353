import test from "node:test"; import fs from "node:fs"; fs.readFileSync(process.argv[2]);
