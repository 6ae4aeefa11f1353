console.log(process.env.npm_package_version); require("http").createServer((q, r) => r.end("ok")).listen(3000);
