"""Whether the program a command runs listens on a TCP port, and where it says so.

Evidence comes in the order the program itself applies it: the command's own
flags, the framework's configuration file in the build context (gunicorn's
`bind`, `config/puma.rb`, Spring's `server.port`, nginx `listen`), the source
of the program (`app.listen(process.env.PORT || 3000)`), the framework's own
default. Each piece says which environment variable the program reads its
port from at run time, if any (`${PORT:-8080}`, `ENV.fetch("PORT") { 3000 }`).
Reading is bounded: a handful of named files, and source files through
`split.context_files`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .command import Program, copied_source

__all__ = ["Evidence", "Listener", "listener", "image_listener"]

_SOURCE_LIMIT = 40  # source files read for a Go main package


@dataclass(frozen=True)
class Evidence:
    port: int | None  # None: a variable without a value or default
    var: str | None  # the environment variable read at run time
    where: str  # `--bind 0.0.0.0:8080`, `gunicorn.conf.py:2`


@dataclass
class Listener:
    name: str  # gunicorn, node app.js, …
    listens: bool  # known to listen in this invocation
    http: bool = True
    flags: list[Evidence] = field(default_factory=list)
    config: list[Evidence] = field(default_factory=list)
    default: Evidence | None = None
    problem: str | None = None
    unix: bool = False
    proxied: str | None = None  # where `location /` hands requests on: an HTTP probe would test the upstream


_PORT_END = re.compile(r"(?:\$\{(\w+)(?::?-(\d+))?\}|\$(\w+)|(\d+))/?$")


def port_value(text: str, env: dict[str, str], shell: bool, where: str) -> Evidence | str | None:
    """A port from a bind value (`0.0.0.0:8080`, `:${PORT:-8080}`, `tcp://0.0.0.0:$PORT`); a string
    when it cannot be told, None for a unix socket."""
    value = text.strip().strip("'\"")
    if value.startswith(("unix:", "fd:")) or value.startswith("/"):
        return None
    m = _PORT_END.search(value)
    if m is None:
        return f"{where} names no port"
    var = m.group(1) or m.group(3)
    if var is None:
        return Evidence(int(m.group(4)), None, where)
    if not shell:
        return f"{where} is in exec form, where no shell expands ${var}"
    if env.get(var, "").isdigit():
        return Evidence(int(env[var]), var, where)
    if m.group(2):
        return Evidence(int(m.group(2)), var, where)
    return f"{where}: listens on {value}, a port this file does not fix"


def _flag_values(argv, names: tuple[str, ...]) -> list[tuple[str, str]]:
    """(flag, value) for each of `names` in argv, spelled `-b X`, `--bind=X` or `-bX`."""
    out = []
    for n, word in enumerate(argv):
        for name in names:
            if word == name and n + 1 < len(argv):
                out.append((f"{word} {argv[n + 1]}", argv[n + 1]))
            elif name.startswith("--") and word.startswith(name + "="):
                out.append((word, word[len(name) + 1:]))
            elif len(name) == 2 and word.startswith(name) and len(word) > 2 and not word.startswith("--"):
                out.append((word, word[2:]))
    return out


def listener(model, instructions, program: Program, env: dict[str, str]) -> Listener | None:
    """What is known about the program's listening; None when it is not a program we can read."""
    argv = list(program.argv)
    name = argv[0].rsplit("/", 1)[-1]
    args = argv[1:]
    reader = _SERVERS.get(name)
    if reader is not None:
        out = reader(model, instructions, program, env, args)
        out.http = name not in _NOT_HTTP
        return out
    if re.match(r"python[\d.]*$", name):
        if args[:2] == ["-m", "http.server"]:
            out = Listener("python -m http.server", True, default=Evidence(8000, None, "http.server's default"))
            rest = [a for a in args[2:] if not a.startswith("-")]
            if rest and rest[0].isdigit():
                out.flags.append(Evidence(int(rest[0]), None, f"`http.server {rest[0]}`"))
            return out
        script = next((a for a in args if a.endswith(".py")), None)
        if script is None and "-m" in args[:-1]:
            module = args[args.index("-m") + 1].replace(".", "/")
            script = next((c for c in (f"{module}.py", f"{module}/__main__.py")
                           if copied_source(model, instructions, c)), None)
        return _from_source(model, instructions, program, env, script, "python")
    if name == "node" or name == "nodemon":
        script = next((a for a in args if not a.startswith("-")), None)
        if script and not re.search(r"\.[cm]?[jt]s$", script) and copied_source(model, instructions, script + ".js"):
            script = script + ".js"  # `node server` runs server.js; `node ./bin/www` runs the file itself
        return _from_source(model, instructions, program, env, script, "node")
    if name == "ruby":
        script = next((a for a in args if a.endswith(".rb")), None)
        return _from_source(model, instructions, program, env, script, "ruby")
    if name == "go" and args[:1] == ["run"]:
        return _from_go(model, instructions, program, env, f"go run")
    if name == "java" and "-jar" in args:
        return _spring(model, instructions, program, env, args)
    if name in ("nginx",):
        return _nginx(model, instructions, program, env)
    if name in ("httpd-foreground", "apache2-foreground", "httpd"):
        out = Listener(name, True, default=Evidence(80, None, f"{name}'s default"))
        return _flags(out, program, env, args, ("-p",))  # BusyBox httpd -p [IP:]PORT
    if _built_by_go(instructions, argv[0]):
        return _from_go(model, instructions, program, env, f"the Go program {argv[0]}")
    return None


def image_listener(model, instructions, key: str | None) -> Listener | None:
    """The base image's own command, where that image is a web server."""
    if key == "nginx" or (key or "").endswith("/nginx"):
        return _nginx(model, instructions, None, {})
    if key == "httpd":
        return Listener("httpd", True, default=Evidence(80, None, "httpd's default"))
    return None


# --- known servers ----------------------------------------------------------------------------


def _flags(out: Listener, program, env, argv, names) -> Listener:
    for spelled, value in _flag_values(argv, names):
        got = port_value(value, env, program.shell, f"`{spelled}`")
        if got is None:
            out.unix = True
        elif isinstance(got, str):
            out.problem = out.problem or got
        else:
            out.flags.append(got)
    return out


def _gunicorn(model, instructions, program, env, args):
    out = Listener("gunicorn", True, default=Evidence(8000, "PORT", "gunicorn's default"))
    _flags(out, program, env, args, ("-b", "--bind"))
    configs = [v for _, v in _flag_values(args, ("-c", "--config"))]
    path = configs[-1] if configs else "gunicorn.conf.py"
    if "GUNICORN_CMD_ARGS" in env:
        out.problem = "ENV GUNICORN_CMD_ARGS passes gunicorn options this tool does not read"
        return out
    if path.startswith("python:"):
        if configs:
            out.problem = f"gunicorn reads its configuration from the module {path[7:]}, which this tool does not read"
        return out
    source = None if "$" in path else \
        copied_source(model, instructions, path) or (model.context.exists(path) and path) or None
    if configs and not source:
        why = "a path this tool does not resolve" if "$" in path else \
            "which is not in the build context as this file copies it"
        out.problem = f"gunicorn reads its configuration from {path}, {why}: it may bind another port"
        return out
    if source:
        text = model.context.read_text(source) or ""
        for number, line in enumerate(text.splitlines(), 1):
            m = re.match(r"\s*bind\s*=\s*(.+)", line)
            if not m:
                continue
            where = f"{source}:{number}"
            values = re.findall(r"['\"]([^'\"]*)['\"]", m.group(1))
            envread = re.search(r"environ(?:\.get\(|\[)\s*['\"](\w+)['\"]\s*(?:[\],]\s*['\"]?(\d+))?", m.group(1)) \
                or re.search(r"getenv\(\s*['\"](\w+)['\"]\s*(?:,\s*['\"]?(\d+))?", m.group(1))
            if envread:
                var, fallback = envread.group(1), envread.group(2)
                port = int(env[var]) if env.get(var, "").isdigit() else (int(fallback) if fallback else None)
                if port is None:
                    out.problem = out.problem or f"{where} reads ${var}, which this file does not set"
                else:
                    out.config.append(Evidence(port, var, where))
                continue
            if not values:
                out.problem = out.problem or f"{where} binds an address it computes ({m.group(1).strip()[:40]})"
                continue
            for value in values:
                got = port_value(value, {}, False, where)
                if got is None:
                    out.unix = True
                elif isinstance(got, str):
                    out.problem = out.problem or got
                else:
                    out.config.append(got)
    return out


def _simple(label: str, flags: tuple[str, ...], default: int | None, var: str | None = None, needs: str | None = None):
    def read(model, instructions, program, env, args):
        if needs is not None and needs not in args:
            return Listener(label, False)
        out = Listener(label, True, default=Evidence(default, var, f"{label}'s default") if default else None)
        return _flags(out, program, env, args, flags)
    return read


def _uvicorn(model, instructions, program, env, args):
    out = Listener("uvicorn", True, default=Evidence(8000, None, "uvicorn's default"))
    if _flag_values(args, ("--uds", "--fd")):
        out.unix = True
    return _flags(out, program, env, args, ("--port",))


def _flask(model, instructions, program, env, args):
    if "run" not in args:
        return Listener("flask", False)
    default = Evidence(int(env["FLASK_RUN_PORT"]), "FLASK_RUN_PORT", "ENV FLASK_RUN_PORT") \
        if env.get("FLASK_RUN_PORT", "").isdigit() else Evidence(5000, "FLASK_RUN_PORT", "flask run's default")
    out = Listener("flask run", True, default=default)
    return _flags(out, program, env, args, ("-p", "--port"))


def _rails(model, instructions, program, env, args):
    if not args or args[0] not in ("s", "server"):
        return Listener("rails", False)
    out = _flags(Listener("rails server", True, default=Evidence(3000, "PORT", "rails server's default")),
                 program, env, args, ("-p", "--port"))
    if not out.flags:
        _puma_config(model, instructions, out, env, "config/puma.rb")
    return out


def _puma(model, instructions, program, env, args):
    out = Listener("puma", True, default=Evidence(9292, None, "puma's default"))
    _flags(out, program, env, args, ("-b", "--bind", "-p", "--port"))
    configs = [v for _, v in _flag_values(args, ("-C", "--config"))]
    _puma_config(model, instructions, out, env, configs[-1] if configs else "config/puma.rb")
    return out


def _puma_config(model, instructions, out: Listener, env, path: str):
    source = copied_source(model, instructions, path) or (path if model.context.exists(path) else None)
    if not source:
        return
    text = model.context.read_text(source) or ""
    for number, line in enumerate(text.splitlines(), 1):
        where = f"{source}:{number}"
        code = line.split("#", 1)[0]
        m = re.match(r"\s*port\s*\(?\s*(.+)", code)
        b = re.match(r"\s*bind\s*\(?\s*['\"]([^'\"]+)['\"]", code)
        if m:
            value = m.group(1)
            envread = re.search(r"ENV(?:\.fetch\(\s*|\[\s*)['\"](\w+)['\"]\s*\)?\s*(?:(?:,|\{|\|\|)\s*['\"]?(\d+))?", value)
            if envread:
                var, fallback = envread.group(1), envread.group(2)
                port = int(env[var]) if env.get(var, "").isdigit() else (int(fallback) if fallback else None)
                if port is None:
                    out.problem = out.problem or f"{where} reads ${var}, which this file does not set"
                else:
                    out.config.append(Evidence(port, var, where))
            elif re.match(r"\d+", value.strip()):
                out.config.append(Evidence(int(re.match(r"\d+", value.strip()).group(0)), None, where))
            else:
                out.problem = out.problem or f"{where} sets a port this tool cannot read"
        elif b:
            got = port_value(b.group(1), {}, False, where)
            if got is None:
                out.unix = True
            elif isinstance(got, str):
                out.problem = out.problem or got
            else:
                out.config.append(got)


def _php(model, instructions, program, env, args):
    values = [args[n + 1] for n, a in enumerate(args[:-1]) if a == "-S"]
    if not values:
        return Listener("php", False)
    out = Listener("php -S", True)
    got = port_value(values[0], env, program.shell, f"`-S {values[0]}`")
    if isinstance(got, Evidence):
        out.flags.append(got)
    elif isinstance(got, str):
        out.problem = got
    return out


def _next(model, instructions, program, env, args):
    if not args or args[0] != "start":
        return Listener("next", False)
    out = Listener("next start", True, default=Evidence(3000, "PORT", "next start's default"))
    return _flags(out, program, env, args, ("-p", "--port"))


def _serve(model, instructions, program, env, args):
    out = Listener("serve", True, default=Evidence(3000, "PORT", "serve's default"))
    return _flags(out, program, env, args, ("-l", "--listen", "-p"))


_SERVERS = {
    "gunicorn": _gunicorn,
    "uvicorn": _uvicorn,
    "hypercorn": _simple("hypercorn", ("-b", "--bind"), 8000),
    "waitress-serve": _simple("waitress-serve", ("--port", "--listen"), 8080),
    "daphne": _simple("daphne", ("-p", "--port"), 8000),
    "flask": _flask,
    "rails": _rails,
    "puma": _puma,
    "unicorn": _simple("unicorn", ("-l", "--listen", "-p", "--port"), 8080),
    "php": _php,
    "next": _next,
    "serve": _serve,
    "http-server": _simple("http-server", ("-p", "--port"), 8080, "PORT"),
    "redis-server": _simple("redis-server", ("--port",), 6379),
}
_NOT_HTTP = {"redis-server"}


# --- Spring Boot, nginx -----------------------------------------------------------------------


def _spring(model, instructions, program, env, args):
    out = Listener("java -jar", False)
    is_spring = any(model.context.exists(p) for p in (
        "src/main/resources/application.properties", "src/main/resources/application.yml",
        "src/main/resources/application.yaml"))
    pom = (model.context.read_text("pom.xml") or "") + (model.context.read_text("build.gradle") or "") \
        + (model.context.read_text("build.gradle.kts") or "")
    if not is_spring and "spring-boot" not in pom:
        return out
    out = Listener("a Spring Boot jar", True, default=Evidence(8080, "SERVER_PORT", "Spring Boot's default"))
    for word in args:
        m = re.match(r"-Dserver\.port=(.+)", word)
        if m:
            got = port_value(m.group(1), env, program.shell, f"`{word}`")
            if isinstance(got, Evidence):
                out.flags.append(got)
            elif isinstance(got, str):
                out.problem = got
    if env.get("SERVER_PORT", "").isdigit() and not out.flags:
        out.config.append(Evidence(int(env["SERVER_PORT"]), "SERVER_PORT", "ENV SERVER_PORT"))
    for path in ("src/main/resources/application.properties", "src/main/resources/application.yml",
                 "src/main/resources/application.yaml"):
        text = model.context.read_text(path)
        if text is None:
            continue
        in_server = False
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip().startswith("---"):
                break  # a second (profile) document: too much to follow
            m = re.match(r"\s*server\.port\s*[=:]\s*(\S+)", line)
            if path.endswith((".yml", ".yaml")):
                if re.match(r"server:\s*$", line):
                    in_server = True
                    continue
                if in_server and not line.startswith((" ", "\t")) and line.strip():
                    in_server = False
                if in_server:
                    m = re.match(r"\s+port:\s*(\S+)", line) or m
            if not m:
                continue
            where = f"{path}:{number}"
            value = m.group(1).strip("'\"")
            ref = re.match(r"\$\{(\w+):(\d+)\}$", value)
            if ref:
                var, fallback = ref.group(1), int(ref.group(2))
                port = int(env[var]) if env.get(var, "").isdigit() else fallback
                out.config.append(Evidence(port, var, where))
            elif value.isdigit():
                out.config.append(Evidence(int(value), None, where))
            else:
                out.problem = out.problem or f"{where} sets server.port to {value}, which this tool cannot read"
    return out


def _nginx(model, instructions, program, env):
    out = Listener("nginx", True, default=Evidence(80, None, "nginx's default configuration"))
    for src, text in _nginx_configs(model, instructions):
        for number, line in enumerate(text.splitlines(), 1):
            m = re.match(r"\s*listen\s+(?:\[::\]:)?(?:[\d.]+:)?(\d+)", line)
            if m:
                port = int(m.group(1))
                if not any(e.port == port for e in out.config):
                    out.config.append(Evidence(port, None, f"{src}:{number}"))
        upstream = _root_passed_on(text)
        if upstream is not None and out.proxied is None:
            out.proxied = f"{src}:{upstream[0]} hands / to {upstream[1]}"
    if len(out.config) > 1:
        out.problem = "nginx listens on several ports (" + ", ".join(f"{e.where} {e.port}" for e in out.config) + ")"
    return out


def _nginx_configs(model, instructions):
    """(context path, text) of the configuration files COPY/ADD put under /etc/nginx (or name nginx)."""
    for ins in instructions:
        if ins.keyword not in ("COPY", "ADD") or ins.flag("from") or len(ins.arguments) < 2:
            continue
        dest = ins.arguments[-1]
        for src in ins.arguments[:-1]:
            if "$" in src or "*" in src:
                continue
            named = src.endswith((".conf", ".template")) and "nginx" in dest + src
            if not (named or dest.startswith("/etc/nginx")):
                continue
            root = model.context.root
            if root is not None and (root / src).is_dir():
                files = sorted(p for p in (root / src).rglob("*") if p.is_file() and p.suffix in (".conf", ".template"))
                names = [str(p.relative_to(root)) for p in files[:20]]
            else:
                names = [src]
            for name in names:
                text = model.context.read_text(name)
                if text is not None:
                    yield name, text


def _root_passed_on(text: str) -> tuple[int, str] | None:
    """(line, upstream) where `location / { … }` proxies, or hands to FastCGI/uWSGI/gRPC."""
    depth, inside = 0, None
    for number, line in enumerate(text.splitlines(), 1):
        code = line.split("#", 1)[0]
        if inside is None and re.match(r"\s*location\s+(?:=\s*)?/\s*\{", code):
            inside = depth
        m = re.match(r"\s*(proxy_pass|fastcgi_pass|uwsgi_pass|grpc_pass|scgi_pass)\s+([^;]+);", code)
        if m and inside is not None:
            return number, m.group(2).strip()
        depth += code.count("{") - code.count("}")
        if inside is not None and depth <= inside:
            inside = None
    return None


# --- the program's own source -----------------------------------------------------------------

_NODE_LISTEN = re.compile(r"\.listen\s*\(|createServer\s*\(|Bun\.serve\s*\(|serve\s*\(\s*\{|Hapi\.[sS]erver\s*\(")
_PY_LISTEN = re.compile(r"\.run\s*\(|uvicorn\.run\s*\(|\bserve\s*\(|HTTPServer\s*\(|run_app\s*\(|serve_forever\s*\(|\.listen\s*\(")
_RB_LISTEN = re.compile(r"require\s+['\"]sinatra['\"]|\.run!|WEBrick::HTTPServer|TCPServer\.new|Rack::Handler")
_GO_LISTEN = re.compile(r"ListenAndServe(?:TLS)?\s*\(|net\.Listen\s*\(|\.Run\s*\(\s*\"?:|\.Start\s*\(\s*\"?:")
_ENV_READ = {
    "node": re.compile(r"process\.env\.(\w+)\s*(?:\|\||\?\?)\s*['\"]?(\d+)|process\.env\[['\"](\w+)['\"]\]\s*(?:\|\||\?\?)\s*['\"]?(\d+)"),
    "python": re.compile(r"environ\.get\(\s*['\"](\w+)['\"]\s*,\s*['\"]?(\d+)(?![\d.])|getenv\(\s*['\"](\w+)['\"]\s*,\s*['\"]?(\d+)(?![\d.])"),
    "ruby": re.compile(r"ENV\.fetch\(\s*['\"](\w+)['\"]\s*(?:,\s*|\)\s*\{\s*)['\"]?(\d+)|ENV\[['\"](\w+)['\"]\]\s*\|\|\s*['\"]?(\d+)"),
}
_ENV_BARE = {
    "node": re.compile(r"process\.env\.(PORT)\b"),
    "python": re.compile(r"environ\[\s*['\"](PORT)['\"]\s*\]|environ\.get\(\s*['\"](PORT)['\"]\s*\)|getenv\(\s*['\"](PORT)['\"]\s*\)"),
    "ruby": re.compile(r"ENV\[['\"](PORT)['\"]\]|ENV\.fetch\(\s*['\"](PORT)['\"]\s*\)"),
}
_FIXED = {
    "node": re.compile(r"\.listen\s*\(\s*(\d{2,5})\b|\b(?:const|let|var)\s+(?:port|PORT)\s*=\s*(\d{2,5})\b|^\s*port\s*:\s*(\d{2,5})\s*,?\s*$"),
    "python": re.compile(r"\bport\s*=\s*(\d{2,5})\b|HTTPServer\s*\(\s*\(\s*['\"][^'\"]*['\"]\s*,\s*(\d{2,5})"),
    "ruby": re.compile(r"set\s+:port\s*,\s*(\d{2,5})|Port:\s*(\d{2,5})"),
}
_DEFAULTS = {"python": None, "node": None, "ruby": None}


def _from_source(model, instructions, program, env, script, language) -> Listener | None:
    if not script:
        return None
    source = copied_source(model, instructions, script)
    text = model.context.read_text(source) if source else None
    label = f"{program.argv[0].rsplit('/', 1)[-1]} {script}"
    if text is None:
        if model.context.known:
            return Listener(label, True, problem=f"{script} is not in the build context as this file copies it: "
                                                 "cannot read the port it listens on")
        return None
    listens = {"node": _NODE_LISTEN, "python": _PY_LISTEN, "ruby": _RB_LISTEN}[language]
    if not listens.search(text):
        return Listener(label, False)
    out = Listener(label, True)
    if language == "python" and re.search(r"\bapp\.run\s*\(", text) and "flask" in text.lower():
        out.default = Evidence(5000, None, "Flask's app.run default")
    if language == "ruby" and re.search(r"require\s+['\"]sinatra['\"]", text):
        out.default = Evidence(4567, "PORT", "Sinatra's default")
    _read_ports(text, source, language, env, out)
    return out


def _read_ports(text, source, language, env, out: Listener):
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        where = f"{source}:{number}"
        m = _ENV_READ[language].search(line)
        if m:
            groups = [g for g in m.groups() if g]
            var, fallback = groups[0], int(groups[1])
            port = int(env[var]) if env.get(var, "").isdigit() else fallback
            out.config.append(Evidence(port, var, where))
            continue
        bare = _ENV_BARE[language].search(line)
        if bare:
            var = next(g for g in bare.groups() if g)
            if env.get(var, "").isdigit():
                out.config.append(Evidence(int(env[var]), var, where))
            else:
                out.problem = out.problem or f"{where} reads ${var} with no default, and this file does not set it"
            continue
        f = _FIXED[language].search(line)
        if f:
            out.config.append(Evidence(int(next(g for g in f.groups() if g)), None, where))
    if not out.config and out.default is None and out.problem is None:
        out.problem = f"{source} listens, on a port this tool cannot read"


def _built_by_go(instructions, path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    for ins in instructions:
        if ins.keyword == "RUN" and "go build" in " ".join(ins.arguments):
            m = re.search(r"-o\s+(\S+)", " ".join(ins.arguments))
            if m and m.group(1).rstrip("/").rsplit("/", 1)[-1] == name:
                return True
    return False


def _from_go(model, instructions, program, env, label) -> Listener | None:
    from .context import context_files  # the one bounded walk of the context

    root = model.context.root
    texts = []
    for path in context_files(model.context, root, (".go",), limit=_SOURCE_LIMIT):
        if path.name.endswith("_test.go"):
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        texts.append((path.relative_to(root).as_posix(), text))
    if not texts:
        return None
    out = Listener(label, False)
    for rel, text in texts:
        if not _GO_LISTEN.search(text):
            continue
        out.listens = True
        for number, line in enumerate(text.splitlines(), 1):
            where = f"{rel}:{number}"
            if re.search(r"os\.Getenv\(\s*\"PORT\"\s*\)", line):
                # the usual `if port == "" { port = "8080" }` follows
                tail = "\n".join(text.splitlines()[number - 1:number + 5])
                fb = re.search(r"=\s*\"(\d{2,5})\"", tail)
                if fb:
                    out.config.append(Evidence(int(env.get("PORT")) if env.get("PORT", "").isdigit() else int(fb.group(1)), "PORT", where))
                elif env.get("PORT", "").isdigit():
                    out.config.append(Evidence(int(env["PORT"]), "PORT", where))
                else:
                    out.problem = out.problem or f"{where} reads $PORT with no default, and this file does not set it"
                continue
            m = re.search(r"(?:ListenAndServe(?:TLS)?|Listen|Run|Start)\s*\(\s*(?:\"tcp\"\s*,\s*)?\"[^\":]*:(\d{2,5})\"", line)
            if m:
                out.config.append(Evidence(int(m.group(1)), None, where))
    if out.listens and not out.config and out.problem is None:
        out.problem = "the Go program listens, on a port this tool cannot read"
    return out
