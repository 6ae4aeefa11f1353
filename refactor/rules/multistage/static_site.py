from __future__ import annotations

import posixpath

from ..base import Safety
from ..split import BUILDER, Copy, SplitRule, runtime_data, split_fix, unknown_command

# static file servers run from npm: program -> (option naming the port, default port, single-page flag)
_SERVERS = {"serve": (("-l", "--listen", "-p"), 3000, ("-s", "--single")),
            "http-server": (("-p", "--port"), 8080, ()),
            "live-server": (("--port",), 8080, ())}
_TOOLS = {"npm", "npx", "yarn", "pnpm", "corepack", "node"}


class StaticSiteSplit(SplitRule):
    """
    ## What it does
    A Node image that builds a front end (`npm run build` writing `dist/` or
    `build/`) and then serves the output with a static file server from npm
    (`serve`, `http-server`) becomes a build stage and an nginx runtime stage
    that serves the same folder on the same port (with the single-page
    fallback to `index.html` when `serve -s` was used).

    ## Why
    The runtime then holds the built files and a web server of a few
    megabytes, instead of Node, `node_modules` and the whole source: far
    smaller, and nginx is a hardened, fast static server.

    ## Example
    ```dockerfile
    FROM node:20
    WORKDIR /app
    COPY . .
    RUN npm ci && npm run build
    EXPOSE 8080
    CMD ["npx", "http-server", "dist", "-p", "8080"]
    ```

    ## Use instead
    ```dockerfile
    FROM node:20 AS build
    WORKDIR /app
    COPY . .
    RUN npm ci && npm run build

    FROM nginx:1.28-alpine
    RUN printf 'server {\\n    listen 8080;\\n ...' > /etc/nginx/conf.d/default.conf
    WORKDIR /app
    COPY --from=build /app/dist /usr/share/nginx/html
    EXPOSE 8080
    ```

    ## Fix safety
    Unsafe: the command changes from the npm server to nginx's own (a
    HEALTHCHECK written for the Node image is dropped with it), and
    details of serving differ (headers, directory listings, caching, the
    server's other options). Only applied with `--unsafe-fixes`; otherwise
    listed as a suggestion.
    """

    code = "MS009"
    name = "split-static-site"
    title = "Serve a built front end from nginx instead of a Node image"
    rationale = "A front end that only serves built files needs a web server, not Node, its modules and the source."
    ecosystem = "static"
    images = ("node",)
    safety = Safety.UNSAFE
    reports_multistage = False  # MS001 says it for node images

    def plan(self, model, build):
        served = static_output(model, build)
        if served is None:
            return None
        folder, port, single = served
        why = unknown_command(build, _TOOLS)
        if why:
            return why
        if not any(c.name in ("npm", "yarn", "pnpm") and "build" in c.argv for _, c in build.commands):
            return "the served folder is not built by a build script; split by hand"
        fallback = "        try_files \\$uri \\$uri/ /index.html;\\n" if single else ""
        conf = ("server {\\n"
                f"    listen {port};\\n"
                "    root /usr/share/nginx/html;\\n"
                "    location / {\\n"
                f"{fallback}"
                "    }\\n"
                "}\\n")
        nginx = f"nginx:{runtime_data()['nginx']}"
        # double quotes with \$: the same bytes as single quotes, and no SC2016 on the line we write
        step = f'RUN printf "{conf}" > /etc/nginx/conf.d/default.conf'
        copies = [Copy(folder, "/usr/share/nginx/html")]
        message = (f"split into a build stage and a runtime on {nginx} that serves {folder} on port {port}"
                   f"{' with the single-page fallback' if single else ''}: the npm server's command is replaced by nginx's")
        return split_fix(model, build, runtime=nginx, copies=copies, message=message, safety=Safety.UNSAFE,
                         runtime_steps=[step],
                         dropped=tuple(m for m in build.moves if m.keyword in ("CMD", "ENTRYPOINT", "HEALTHCHECK")))


def static_output(model, build):
    """(absolute folder, port, single-page) when the command serves a built folder with an npm static server."""
    words = list(build.entry)
    if words[:1] == ["npx"]:
        words = words[1:]
        if words[:1] in (["--yes"], ["-y"]):
            words = words[1:]
    if not words or words[0].split("@")[0] not in _SERVERS:
        return None
    options, port, single_flags = _SERVERS[words[0].split("@")[0]]
    folder = None
    single = False
    i = 1
    while i < len(words):
        w = words[i]
        if w in options and i + 1 < len(words):
            value = words[i + 1].rsplit(":", 1)[-1]
            if not value.isdigit():
                return None
            port = int(value)
            i += 2
            continue
        if w in single_flags:
            single = True
        elif not w.startswith("-") and folder is None:
            folder = w
        i += 1
    if folder is None or "$" in folder:
        return None
    for ins in build.stage.instructions:
        if ins.keyword == "ENV" and any(k == "PORT" for k, _ in ins.pairs) and words[0] == "serve":
            return None  # serve reads PORT: the port is not what the command line says
    absolute = posixpath.normpath(posixpath.join(build.workdir, folder))
    return absolute, port, single


__all__ = ["StaticSiteSplit", "static_output", "BUILDER"]
