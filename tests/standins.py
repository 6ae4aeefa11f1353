"""Local stand-ins for the base images the `corpus/apps` fixtures name.

Registries of container images cannot be reached from the machines our tests run on, so the
real-build tests and `benchmarks/images.py` build look-alikes of those images once, from
Debian's packages (`debootstrap --variant=minbase`, plus the ecosystem's packages or the
machine's own Python and Node.js builds), and tag them with the names the fixtures use. Every
stand-in carries the machine's CA bundle, so `RUN pip install` or `npm ci` inside a build
reach the package registries the machine reaches.

All state (containers/storage, configuration, debootstrap trees) lives under one work
directory, `REFACTOR_LAB` (default `/var/tmp/refactor-lab`), and is reused by later runs: a
stand-in already in the store is not built again. `Lab.env()` is the environment under which
`buildah`, `podman` and `refactor verify` see that store.

    python tests/standins.py                    # build the default set (what CI builds), print times
    python tests/standins.py --extra            # also build the extra stand-ins (real files' tags)
    python tests/standins.py python:3.9-slim    # build the stand-ins for these tags (and what they need)
    python tests/standins.py --list             # print every tag, default set and extras, build nothing

The default set (`catalogue()`) is what the `builds` tests and `benchmarks/images.py` use; the extras
(`extras()`) answer the tags real public Dockerfiles name and are built only when asked, with
`--extra`, by tag, or `Lab().ensure_tags([...])`. Every `python:*` stand-in is bookworm-based whatever
its suffix says: `python:3.9-slim-buster` and `python:3.10-bullseye` are tags of the same bookworm image
as `python:3.9-slim` and `python:3.10` (the machine's pyenv CPython copied into `/usr/local`), so a file
that needs buster's or bullseye's own packages is not faithfully reproduced. The floating tags
`python:3`, `python:3-slim`, `python:latest`, `python:slim` and the `python:3.14` tags are Python 3.13
(the machine has no 3.14 build). Every `node:*` tag,
`node:16`, `node:24`, `node:26`, `node:lts`, `node:current`, `node:latest` included, runs the machine's Node.js 20.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

LAB = Path(os.environ.get("REFACTOR_LAB", "/var/tmp/refactor-lab"))
MACHINE_CA = Path("/etc/ssl/certs/ca-certificates.crt")
TOOLS = ("buildah", "podman", "debootstrap")
ARCH_LIBS = "/usr/lib/x86_64-linux-gnu"
RECIPE_VERSION = "2"  # bump when what _copy_into copies changes (pkg_resources kept since 2)

# Where a build's RUN steps find the machine's CA; also left in the final images, the same
# for the original and the refactored one.
CA_ENV = {
    "SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt",
    "PIP_CERT": "/etc/ssl/certs/ca-certificates.crt",
    "REQUESTS_CA_BUNDLE": "/etc/ssl/certs/ca-certificates.crt",
    "NODE_EXTRA_CA_CERTS": "/etc/ssl/certs/ca-certificates.crt",
    "CARGO_HTTP_CAINFO": "/etc/ssl/certs/ca-certificates.crt",
}
PYTHON_RUNTIME_LIBS = ("libssl3 libffi8 libsqlite3-0 zlib1g libbz2-1.0 liblzma5 libreadline8 "
                       "libncursesw6 libtinfo6 libexpat1 libuuid1 libgdbm6 libtirpc3 libcrypt1 "
                       "libnsl2 libdb5.3 netbase tzdata")
# What the official non-slim images add over the slim ones, as far as builds in our fixtures go.
BUILD_SET = "gcc g++ make libc6-dev pkg-config git curl wget procps"


@dataclass(frozen=True)
class StandIn:
    """One stand-in image: the tags it answers to and the Containerfile that builds it."""

    tags: tuple[str, ...]
    containerfile: str
    needs: tuple[str, ...] = ()           # tags this one is built FROM (built first)
    files: dict = field(default_factory=dict)  # context entries: name -> source path on the machine

    @property
    def recipe(self) -> str:
        """A digest of what the stand-in is made from, stored as a label: a changed recipe rebuilds."""
        import hashlib

        text = self.containerfile + repr(sorted(self.files.items())) + repr(self.tags) + RECIPE_VERSION
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _ca_env_lines() -> str:
    return "ENV " + " ".join(f"{k}={v}" for k, v in CA_ENV.items())


def _python(version: str, full_version: str, suites: tuple[str, ...] = ("bookworm",),
            aliases: tuple[str, ...] = ()) -> list[StandIn]:
    """A slim and a full stand-in; `suites` name the `-<suite>` tags (all bookworm-based), `aliases`
    further tag names (floating tags such as `3`) for the same two images."""
    slim = f"docker.io/library/python:{version}-slim"
    env = _ca_env_lines()
    prefix = f"/root/.pyenv/versions/{full_version}"
    hub = "docker.io/library/python"
    slim_tags = (slim, *(f"{hub}:{version}-slim-{s}" for s in suites),
                 *(f"{hub}:{a}-slim" for a in aliases), *(f"{hub}:{a}-slim-{s}" for a in aliases for s in suites))
    full_tags = (f"{hub}:{version}", *(f"{hub}:{version}-{s}" for s in suites),
                 *(f"{hub}:{a}" for a in aliases), *(f"{hub}:{a}-{s}" for a in aliases for s in suites))
    return [
        StandIn(
            slim_tags,
            f"""FROM docker.io/library/debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends {PYTHON_RUNTIME_LIBS} \\
    && rm -rf /var/lib/apt/lists/*
COPY python/ /usr/local/
RUN grep -rlI '{prefix}' /usr/local/bin /usr/local/lib/python{version} | xargs -r sed -i 's#{prefix}#/usr/local#g' \\
    && ldconfig && ln -sf python3 /usr/local/bin/python && ln -sf pip3 /usr/local/bin/pip \\
    && printf '[global]\\ncert = /etc/ssl/certs/ca-certificates.crt\\n' > /etc/pip.conf
ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 PYTHON_VERSION={full_version}
{env}
CMD ["python3"]
""",
            ("docker.io/library/debian:bookworm-slim",),
            {"python": prefix},
        ),
        StandIn(
            full_tags,
            f"""FROM {slim}
RUN apt-get update && apt-get install -y --no-install-recommends {BUILD_SET} \\
    && rm -rf /var/lib/apt/lists/*
""",
            (slim,),
        ),
    ]


def _node(versions: tuple[str, ...]) -> list[StandIn]:
    """Every `node:*` tag runs the machine's own Node.js (a stand-in: the version differs)."""
    slim_tags = tuple(t for v in versions for t in (f"docker.io/library/node:{v}-slim",
                                                    f"docker.io/library/node:{v}-bookworm-slim"))
    full_tags = tuple(t for v in versions for t in (f"docker.io/library/node:{v}",
                                                    f"docker.io/library/node:{v}-bookworm"))
    return [
        StandIn(
            slim_tags,
            f"""FROM docker.io/library/debian:bookworm-slim
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
COPY node/ /usr/local/
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
    && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
    && ln -s ../lib/node_modules/corepack/dist/corepack.js /usr/local/bin/corepack
{_ca_env_lines()}
# the official images ship Yarn 1 beside npm
RUN npm install -g yarn@1.22.22 && npm cache clean --force
CMD ["node"]
""",
            ("docker.io/library/debian:bookworm-slim",),
            {"node/bin/node": "/usr/bin/node", "node/lib/node_modules/npm": "/usr/lib/node_modules/npm",
             "node/lib/node_modules/corepack": "/usr/lib/node_modules/corepack"},
        ),
        StandIn(
            full_tags,
            f"""FROM {slim_tags[0]}
RUN apt-get update && apt-get install -y --no-install-recommends {BUILD_SET} python3 \\
    && rm -rf /var/lib/apt/lists/*
""",
            (slim_tags[0],),
        ),
    ]


def _distroless(name: str, suite: str, libs: bool) -> StandIn:
    """gcr.io/distroless look-alike: no shell, no package manager, user nonroot (65532)."""
    copy_libs = (
        f"RUN mkdir -p /out{ARCH_LIBS} /out/usr/lib64 && cp -a {ARCH_LIBS}/libc.so* {ARCH_LIBS}/libm.so* "
        f"{ARCH_LIBS}/libdl.so* {ARCH_LIBS}/libpthread.so* {ARCH_LIBS}/librt.so* {ARCH_LIBS}/libresolv.so* "
        f"{ARCH_LIBS}/libnss_*.so* {ARCH_LIBS}/libgcc_s.so* {ARCH_LIBS}/libstdc++.so* {ARCH_LIBS}/libssl.so* "
        f"{ARCH_LIBS}/libcrypto.so* {ARCH_LIBS}/libz.so* {ARCH_LIBS}/ld-linux-x86-64.so* /out{ARCH_LIBS}/ && cp -a /usr/lib64/ld-linux-x86-64.so.2 /out/usr/lib64/\n"
        if libs else ""
    )
    return StandIn(
        (f"gcr.io/distroless/{name}:nonroot",),
        f"""FROM docker.io/library/debian:{suite}-slim AS files
RUN apt-get update && apt-get install -y --no-install-recommends tzdata netbase libssl3 || \\
    apt-get install -y --no-install-recommends tzdata netbase libssl3t64
RUN mkdir -p /out/etc/ssl/certs /out/tmp /out/home/nonroot /out/usr/share /out/var \\
    && chmod 1777 /out/tmp && chown 65532:65532 /out/home/nonroot \\
    && ln -s usr/lib /out/lib && ln -s usr/lib64 /out/lib64 && ln -s usr/bin /out/bin && ln -s usr/sbin /out/sbin \\
    && cp /etc/ssl/certs/ca-certificates.crt /out/etc/ssl/certs/ && cp -a /usr/share/zoneinfo /out/usr/share/ \\
    && cp /etc/services /etc/protocols /etc/nsswitch.conf /etc/os-release /out/etc/ \\
    && printf 'root:x:0:0:root:/root:/sbin/nologin\\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\\n' > /out/etc/passwd \\
    && printf 'root:x:0:\\nnobody:x:65534:\\nnonroot:x:65532:\\n' > /out/etc/group
{copy_libs}FROM scratch
COPY --from=files /out/ /
USER 65532
WORKDIR /home/nonroot
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
""",
        (f"docker.io/library/debian:{suite}-slim",),
    )


def catalogue() -> list[StandIn]:
    """Every stand-in, in an order where each comes after those it is built from."""
    env = _ca_env_lines()
    items: list[StandIn] = []
    items += _python("3.11", "3.11.7") + _python("3.12", "3.12.1")
    items += _node(("18", "20", "22"))
    items += [
        StandIn(("docker.io/library/gcc:13",),
                f"FROM docker.io/library/debian:bookworm-slim\n"
                f"RUN apt-get update && apt-get install -y --no-install-recommends {BUILD_SET} \\\n"
                f"    && rm -rf /var/lib/apt/lists/*\n",
                ("docker.io/library/debian:bookworm-slim",)),
        StandIn(("docker.io/library/golang:1.22",),
                f"FROM docker.io/library/debian:trixie-slim\n"
                f"RUN apt-get update && apt-get install -y --no-install-recommends golang-go {BUILD_SET} \\\n"
                f"    && rm -rf /var/lib/apt/lists/*\n"
                f"ENV GOTOOLCHAIN=local GOPATH=/go GOFLAGS=-buildvcs=false PATH=/go/bin:/usr/lib/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
                f"WORKDIR /go\n",
                ("docker.io/library/debian:trixie-slim",)),
        StandIn(("docker.io/library/rust:1.78", "docker.io/library/rust:1.78-slim"),
                f"FROM docker.io/library/debian:trixie-slim\n"
                f"RUN apt-get update && apt-get install -y --no-install-recommends cargo rustc {BUILD_SET} \\\n"
                f"    && rm -rf /var/lib/apt/lists/*\n"
                f"ENV CARGO_HOME=/usr/local/cargo PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n",
                ("docker.io/library/debian:trixie-slim",)),
        StandIn(("docker.io/library/nginx:1.28-alpine",),
                f"""FROM docker.io/library/debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends nginx-light wget \\
    && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/default \\
    && mkdir -p /usr/share/nginx/html \\
    && printf 'server {{\\n    listen 80;\\n    root /usr/share/nginx/html;\\n    index index.html;\\n}}\\n' > /etc/nginx/conf.d/default.conf \\
    && echo '<h1>Welcome to nginx!</h1>' > /usr/share/nginx/html/index.html \\
    && ln -sf /dev/stdout /var/log/nginx/access.log && ln -sf /dev/stderr /var/log/nginx/error.log
{env}
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
""",
                ("docker.io/library/debian:bookworm-slim",)),
        _distroless("cc-debian12", "bookworm", True),
        _distroless("cc-debian13", "trixie", True),
        _distroless("static-debian13", "trixie", False),
    ]
    return items


def _alias(tags: tuple[str, ...], of: str) -> StandIn:
    """More names for a stand-in that exists already (a one-line build, no new layer)."""
    return StandIn(tags, f"FROM {of}\n", (of,))


SUFFIXES = ("bookworm", "bullseye", "buster")


def extras() -> list[StandIn]:
    """Stand-ins for the tags real public Dockerfiles name, beyond the default set; built only
    when asked. Each comes after those it is built from (which may be in `catalogue()`)."""
    hub = "docker.io/library"
    items: list[StandIn] = []
    items += _python("3.8", "3.8.18", SUFFIXES) + _python("3.9", "3.9.18", SUFFIXES)
    items += _python("3.10", "3.10.13", SUFFIXES)
    items += _python("3.13", "3.13.0", SUFFIXES, aliases=("3",))
    items += [_alias((f"{hub}/python:slim", *(f"{hub}/python:slim-{s}" for s in SUFFIXES)), f"{hub}/python:3.13-slim"),
              _alias((f"{hub}/python:latest", *(f"{hub}/python:{s}" for s in SUFFIXES)), f"{hub}/python:3.13")]
    # no CPython 3.14 build on this machine: python:3.14 tags are more names of the 3.13 stand-ins
    items += [_alias(tuple(f"{hub}/python:3.14-slim{x}" for x in ("", *(f"-{s}" for s in SUFFIXES))),
                     f"{hub}/python:3.13-slim"),
              _alias(tuple(f"{hub}/python:3.14{x}" for x in ("", *(f"-{s}" for s in SUFFIXES))), f"{hub}/python:3.13")]
    for version in ("3.11", "3.12"):  # the default set has -bookworm; add the other suffixes
        items.append(_alias(tuple(f"{hub}/python:{version}-slim-{s}" for s in SUFFIXES[1:]), f"{hub}/python:{version}-slim"))
        items.append(_alias(tuple(f"{hub}/python:{version}-{s}" for s in SUFFIXES[1:]), f"{hub}/python:{version}"))
    names = ("16", "17", "19", "21", "23", "24", "25", "26", "lts", "current", "latest", "hydrogen", "iron")
    node_slim = tuple(f"{hub}/node:{n}-slim" for n in names) + \
        tuple(f"{hub}/node:{n}-{s}-slim" for n in (*names, "18", "20", "22") for s in SUFFIXES
              if not (s == "bookworm" and n in ("18", "20", "22")))
    node_full = tuple(f"{hub}/node:{n}" for n in names) + \
        tuple(f"{hub}/node:{n}-{s}" for n in (*names, "18", "20", "22") for s in SUFFIXES
              if not (s == "bookworm" and n in ("18", "20", "22")))
    items += [_alias(node_slim, f"{hub}/node:20-slim"), _alias(node_full, f"{hub}/node:20")]
    return items


def base_tags(suite: str) -> tuple[str, ...]:
    return (f"docker.io/library/debian:{suite}-slim", f"docker.io/library/debian:{suite}")


def available() -> str | None:
    """Why the stand-ins cannot be built here, or None when they can."""
    if os.geteuid() != 0:
        return "building stand-ins needs root (debootstrap, chroot isolation)"
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        return f"missing {', '.join(missing)} (apt-get install buildah podman runc debootstrap fuse-overlayfs uidmap)"
    return None


class Lab:
    """One work directory holding containers/storage, its configuration and the stand-ins."""

    def __init__(self, root: Path = LAB):
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        conf = self.root / "conf"
        conf.mkdir(exist_ok=True)
        (conf / "storage.conf").write_text(
            '[storage]\ndriver = "overlay"\n'
            f'runroot = "{self.root}/run"\ngraphroot = "{self.root}/storage"\n'
        )
        (conf / "containers.conf").write_text(
            '[containers]\nnetns = "host"\n'
            'default_ulimits = ["nofile=16384:16384", "nproc=16384:16384"]\n'
            '[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n'
        )
        (conf / "registries.conf").write_text(
            'unqualified-search-registries = ["docker.io"]\nshort-name-mode = "permissive"\n'
        )

    def env(self) -> dict[str, str]:
        conf = self.root / "conf"
        return {
            **os.environ,
            "CONTAINERS_STORAGE_CONF": str(conf / "storage.conf"),
            "CONTAINERS_CONF": str(conf / "containers.conf"),
            "CONTAINERS_REGISTRIES_CONF": str(conf / "registries.conf"),
            "BUILDAH_ISOLATION": "chroot",
            "BUILDAH_FORMAT": "docker",
            "BUILDAH_LAYERS": "true",
        }

    def run(self, *cmd: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
        return subprocess.run(cmd, env=self.env(), check=check, text=True, capture_output=True, **kw)

    def has(self, tag: str) -> bool:
        return self.run("podman", "image", "exists", tag, check=False).returncode == 0

    def label(self, tag: str) -> str | None:
        done = self.run("podman", "image", "inspect", "--format", '{{index .Labels "refactor.standin"}}', tag,
                        check=False)
        return done.stdout.strip() if done.returncode == 0 else None

    def ensure(self, log=lambda msg: None, items: list[StandIn] | None = None) -> dict[str, float]:
        """Build every stand-in of `items` (default: the default set, `catalogue()`) not yet in the
        store; return the seconds each build took."""
        took: dict[str, float] = {}
        for suite in ("bookworm", "trixie"):
            if not all(self.has(t) for t in base_tags(suite)):
                start = time.monotonic()
                self._import_base(suite)
                took[f"debian:{suite}"] = time.monotonic() - start
                log(f"debian:{suite} {took[f'debian:{suite}']:.0f} s")
        for item in catalogue() if items is None else items:
            if all(self.label(t) == item.recipe for t in item.tags):
                continue  # built from this very recipe: a changed recipe builds anew
            start = time.monotonic()
            self._build(item)
            took[item.tags[0]] = time.monotonic() - start
            log(f"{item.tags[0]} {took[item.tags[0]]:.0f} s")
        return took

    def ensure_tags(self, tags, log=lambda msg: None) -> dict[str, float]:
        """Build the stand-ins answering `tags` (from the default set or the extras) and those they
        are built from; an unknown tag raises KeyError."""
        return self.ensure(log, needed(tags))

    def _import_base(self, suite: str) -> None:
        tree = self.root / f"rootfs-{suite}"
        if tree.exists():
            shutil.rmtree(tree)
        subprocess.run(["debootstrap", "--variant=minbase", suite, str(tree), debian_mirror()],
                       check=True, capture_output=True, text=True)
        certs = tree / "etc/ssl/certs"
        certs.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(MACHINE_CA, certs / "ca-certificates.crt")
        # apt inside builds keeps the machine's CA even when a RUN installs ca-certificates
        (tree / "usr/local/share/ca-certificates").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(MACHINE_CA, tree / "usr/local/share/ca-certificates/machine.crt")
        (tree / "etc/apt/apt.conf.d/docker-clean").write_text(
            'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb || true"; };\n'
            'APT::Install-Recommends "false";\n'
        )
        for leftover in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for f in (tree / leftover).glob("*"):
                if f.is_file():
                    f.unlink()
        changes = ["--change", "CMD [\"bash\"]", "--change",
                   "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
        for k, v in CA_ENV.items():
            changes += ["--change", f"ENV {k}={v}"]
        tar = subprocess.Popen(["tar", "-C", str(tree), "-c", "."], stdout=subprocess.PIPE)
        subprocess.run(["podman", "import", *changes, "-", base_tags(suite)[0]], stdin=tar.stdout,
                       env=self.env(), check=True, capture_output=True)
        tar.wait()
        for tag in base_tags(suite)[1:]:
            self.run("podman", "tag", base_tags(suite)[0], tag)
        shutil.rmtree(tree)

    def _build(self, item: StandIn) -> None:
        with tempfile.TemporaryDirectory(dir=self.root) as ctx:
            ctx_path = Path(ctx)
            for name, source in item.files.items():
                _copy_into(Path(source), ctx_path / name)
            (ctx_path / "Containerfile").write_text(item.containerfile)
            tags = [a for t in item.tags for a in ("-t", t)]
            result = self.run("buildah", "build", "--pull=never", "--layers", "--format", "docker",
                              "--label", f"refactor.standin={item.recipe}", *tags, "-f", str(ctx_path / "Containerfile"), str(ctx_path), check=False)
            if result.returncode != 0:
                raise RuntimeError(f"stand-in {item.tags[0]} did not build:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


def needed(tags) -> list[StandIn]:
    """The stand-ins that answer `tags` and those they are built from, in build order."""
    everything = catalogue() + extras()
    by_tag = {t: item for item in everything for t in item.tags}
    wanted: set[int] = set()

    def want(tag: str) -> None:
        full = tag if "/" in tag.split(":")[0] else f"docker.io/library/{tag}"
        if full.startswith("docker.io/") and full.count("/") == 1:
            full = "docker.io/library/" + full[len("docker.io/"):]
        if ":" not in full.rsplit("/", 1)[-1]:
            full += ":latest"
        if full.startswith("docker.io/library/debian:"):
            return  # imported by ensure() itself
        if full not in by_tag:
            near = _release_of(full)
            if near is None or near not in by_tag:
                raise KeyError(f"no stand-in answers {tag} (python tests/standins.py --list)")
            everything.append(_alias((full,), near))  # node:16.19.0-slim is the node:16-slim stand-in
            by_tag[full] = everything[-1]
        item = by_tag[full]
        if id(item) not in wanted:
            wanted.add(id(item))
            for need in item.needs:
                want(need)

    for tag in tags:
        want(tag)
    return [item for item in everything if id(item) in wanted]


def _release_of(full: str) -> str | None:
    """The stand-in tag of a patch release: `node:16.19.0-slim` -> `node:16-slim`, `python:3.9.2-slim` ->
    `python:3.9-slim` (a stand-in runs one build per line of releases)."""
    image, _, tag = full.rpartition(":")
    keep = {"docker.io/library/node": 1, "docker.io/library/python": 2}.get(image)
    m = re.fullmatch(r"(\d+(?:\.\d+)*)(-.*)?", tag)
    if keep is None or m is None or m.group(1).count(".") < keep:
        return None
    return f"{image}:{'.'.join(m.group(1).split('.')[:keep])}{m.group(2) or ''}"


def _copy_into(source: Path, target: Path) -> None:
    """Copy a file or tree, leaving out what the official images leave out (tests, caches,
    static libraries) and every third-party package but pip and setuptools."""

    def ignore(directory: str, names: list[str]) -> list[str]:
        d = Path(directory)
        drop = {n for n in names if n in ("__pycache__", "test", "tests", "idlelib", "turtledemo")
                and d.name.startswith("python3")}
        drop |= {n for n in names if n.endswith(".a")}
        if d.name == "site-packages":
            drop |= {n for n in names if not n.startswith(("pip", "setuptools", "pkg_resources", "_distutils_hack",
                                                             "distutils-precedence", "wheel"))}
        return sorted(drop)

    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, symlinks=True, ignore=ignore)
    else:
        shutil.copy2(source, target)


def debian_mirror() -> str:
    """The Debian mirror the machine's apt sources name (deb822 or one-line format)."""
    sources = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]
    for path in sources:
        if not path.is_file():
            continue
        for line in path.read_text(errors="replace").splitlines():
            words = line.split()
            if not words or words[0].startswith("#"):
                continue
            uris = words[1:] if words[0] == "URIs:" else [w for w in words[1:] if "://" in w][:1] \
                if words[0] == "deb" else []
            for uri in uris:
                if "://" in uri and "security" not in uri and "/debian" in uri:
                    return uri.rstrip("/")
    raise RuntimeError("no Debian mirror in the machine's apt sources")


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--list" in args:
        for item in catalogue():
            print("default", " ".join(item.tags))
        for item in extras():
            print("extra  ", " ".join(item.tags))
        sys.exit(0)
    why = available()
    if why:
        sys.exit(f"standins: {why}")
    started = time.monotonic()
    if "--extra" in args:
        Lab().ensure(log=print, items=needed([t for item in extras() for t in item.tags]))
    elif args:
        Lab().ensure_tags(args, log=print)
    else:
        Lab().ensure(log=print)
    print(f"stand-ins ready in {time.monotonic() - started:.0f} s under {LAB}")
