from __future__ import annotations

import dataclasses
import posixpath
import re

from ..split import Copy, SplitRule, app_dirs, context_copies, folder_apart_reason, debian_suite, runtime_packages, split_fix, uncovered_paths, \
    unknown_command

_TOOLS = {"composer", "php", "curl", "docker-php-ext-install", "docker-php-ext-configure", "docker-php-ext-enable",
          "pecl", "docker-php-source", "a2enmod", "a2dismod", "a2ensite", "a2dissite", "a2enconf", "a2disconf"}
EXTENSIONS = "/usr/local/lib/php/extensions"
CONF = "/usr/local/etc/php/conf.d"
# folders of the php image's own configuration: a build step that changes something in one of them
# (php.ini, an extension's ini, an fpm pool, an Apache site or module) has the runtime copy that folder
# whole from the builder, which is the same image with those changes
_CONFIG_DIRS = ("/usr/local/etc", "/etc/apache2")
_APACHE_TOOLS = {"a2enmod", "a2dismod", "a2ensite", "a2dissite", "a2enconf", "a2disconf"}
_FILE_COMMANDS = {"mkdir", "chmod", "chown", "cp", "mv", "ln", "touch", "rm", "sed"}
# the php image's ENV (docker-library/php): words of the build that name them are read with these values
_IMAGE_ENV = {"PHP_INI_DIR": "/usr/local/etc/php"}
# Composer itself, however the build got it: left in the builder
_COMPOSER_PATHS = re.compile(r"(^|/)composer(\.phar)?$|(^|/)composer-setup\.(php|sig)$|(^|/)installer$")


class PhpSplit(SplitRule):
    """
    ## What it does
    Splits a single-stage PHP build that installs its dependencies with
    Composer (installed by its installer, `COPY --from=composer`, or the
    distribution's `composer` package): the original stage keeps Composer,
    git, unzip and the headers (the `build` stage), and a runtime stage on the
    same PHP image and tag copies `vendor/` in a layer of its own, then the
    source from the build context as the original copied it (so a source
    change leaves the dependencies' layer cached; the application folder whole
    from the build where a step after the source copy may write elsewhere, a
    Composer script runs, or the build gives the folder to a user), the extensions the build compiled (`docker-php-ext-install`, `pecl`) with
    their ini files, and the configuration the build changed (`php.ini`,
    `conf.d`, fpm pools under `/usr/local/etc`; Apache's `/etc/apache2` after
    `a2enmod` or an edited site), and installs only the shared libraries those
    extensions load (`libzip-dev` -> `libzip4`). The image's own command
    (`apache2-foreground`, `php-fpm`) and WORKDIR (`/var/www/html`) stay.

    Extensions are copied rather than compiled again: the runtime is the same
    image and tag, so the same PHP API version and extension folder
    (`php-config --extension-dir`, under /usr/local/lib/php/extensions), and
    compiling again would need the headers the split leaves behind.

    ## Why
    Composer, version control and compilers are not needed to serve PHP, and
    an image without them is smaller and offers less to an attacker.

    ## Example
    ```dockerfile
    FROM php:8.3-cli
    RUN apt-get update && apt-get install -y git unzip
    RUN curl -sS https://getcomposer.org/installer | php -- --install-dir=/usr/local/bin --filename=composer
    WORKDIR /app
    COPY . .
    RUN composer install --no-dev
    CMD ["php", "-S", "0.0.0.0:8000", "-t", "public"]
    ```

    ## Use instead
    ```dockerfile
    FROM php:8.3-cli AS build
    RUN apt-get update && apt-get install -y git unzip
    RUN curl -sS https://getcomposer.org/installer | php -- --install-dir=/usr/local/bin --filename=composer
    WORKDIR /app
    COPY . .
    RUN composer install --no-dev

    FROM php:8.3-cli
    WORKDIR /app
    COPY --from=build /app/vendor /app/vendor
    COPY . .
    CMD ["php", "-S", "0.0.0.0:8000", "-t", "public"]
    ```

    ## Fix safety
    Review: the configuration is kept; Composer is gone from the image (a
    command that runs it declines the split), and so are the build's system
    packages but the runtime libraries of the `-dev` ones it can map. The
    split declines where a step writes outside the folders it copies, where
    Composer installs outside the application (`composer global`), and on
    Alpine where an extension's `-dev` package needs a runtime library.
    """

    code = "MS008"
    name = "split-php"
    title = "Split a Composer build into a build stage and a runtime without Composer and build tools"
    rationale = "Composer, git, unzip and headers are needed to install, not to run."
    ecosystem = "php"
    images = ("php",)

    def plan(self, model, build):
        installs = [(ins, c) for ins, c in build.commands
                    if c.name == "composer" and [a for a in c.argv[1:] if a and not a.startswith("-")][:1] in (["install"], ["update"])]
        if not installs:
            return "no `composer install` or `composer update`: the PHP split moves only what Composer installs"
        for ins, c in build.commands:
            if c.name == "composer" and "global" in c.argv:
                return f"line {ins.start_line}: `composer global` installs outside the application; split by hand"
        why = unknown_command(build, _TOOLS)
        if why:
            return why
        if build.entry[:1] == ("composer",) or any(posixpath.basename(w) == "composer" for w in build.entry[:2]):
            return "the command runs composer, which the runtime would not have"
        if any(w.startswith("/usr/bin/php") for w in build.entry[:1]):
            return "the command runs /usr/bin/php, the distribution's PHP, not the image's: split by hand"
        composer_pkg = "composer" in build.packages
        build = dataclasses.replace(build, packages=[p for p in build.packages if p != "composer"])
        alpine = build.package_tool == "apk" or "alpine" in (build.base.tag or "")
        if alpine and any(p.endswith("-dev") for p in build.packages):
            dev = ", ".join(p for p in build.packages if p.endswith("-dev"))
            return (f"the runtime libraries of Alpine's {dev} are not known (refactor/data/runtime.toml maps Debian's): "
                    f"split by hand")
        packages, why = runtime_packages(build, debian_suite(build.base), model)
        if why:
            if "does not name" in why:
                why += f" (name it, as in {build.base.path.rsplit('/', 1)[-1]}:{build.base.tag}-bookworm, and both stages keep it)"
            return why
        touched = _touched(build)
        if isinstance(touched, str):
            return touched
        config = [d for d in _CONFIG_DIRS if any(p == d or p.startswith(d + "/") for p in touched)]
        if any(c.name in _APACHE_TOOLS for _, c in build.commands) and "/etc/apache2" not in config:
            config.append("/etc/apache2")
        extensions = any(c.name in ("docker-php-ext-install", "docker-php-ext-enable", "pecl") for _, c in build.commands)
        dirs = _outermost(app_dirs(build) + config)
        for ins, c in installs:
            cwd = _working_dir(build, ins, c)
            if not any(cwd == d or cwd.startswith(d.rstrip("/") + "/") for d in dirs):
                return (f"line {ins.start_line}: composer installs into {cwd}/vendor, outside the folders the source is "
                        f"copied to; split by hand")
        copies = [Copy(d, chown=build.chown if d in app_dirs(build) else None) for d in dirs]
        apart = _vendor_apart(model, build, installs, dirs)
        if isinstance(apart, str):
            vendor_note = f"; vendor/ is not copied apart from the application folder: {apart}"
        else:
            vendor_note = ""
            copies = apart
        if extensions:
            copies = [Copy(EXTENSIONS)] + ([] if "/usr/local/etc" in dirs else [Copy(CONF)]) + copies
        checked = dataclasses.replace(build, file_paths=[p for p in build.file_paths if not _COMPOSER_PATHS.search(p)])
        why = uncovered_paths(checked, copies)
        if why:
            return why
        runtime = build.base.text
        message = (f"split into a build stage (with Composer and the build tools) and a runtime on {runtime} that copies "
                   f"{', '.join(dict.fromkeys(c.path for c in copies))}" + (f" and installs {', '.join(packages)}" if packages else "")
                   + ("; Composer (the distribution's package) stays in the build stage" if composer_pkg else "")
                   + ("; vendor/ first, in a layer of its own, then the source from the build context" if not vendor_note else vendor_note))
        return split_fix(model, build, runtime=runtime, copies=copies, message=message, runtime_packages=packages)


def _vendor_apart(model, build, installs, dirs) -> "list[Copy] | str":
    """The runtime's copies with vendor/ in a layer of its own before the application's files (each
    entry of the source folder by name), so a source change leaves it cached; why not."""
    cwds = {_working_dir(build, ins, c) for ins, c in installs}
    if len(cwds) != 1:
        return "Composer installs in several folders"
    appdir = cwds.pop()
    if appdir not in dirs:
        return f"Composer installs in {appdir}, inside the folder the source is copied to"
    why = folder_apart_reason(model, build, appdir, "vendor", "a vendor/ folder", lambda name: name in (
        "composer", "chmod", "mkdir", "rm", "true", "echo", "apt-get", "apt", "apk", "pecl") or name.startswith("docker-php-"))
    if why:
        return why
    base = next((src for src, dest in build.sources if dest == appdir), None)
    composer = model.context.read_json("composer.json" if base in (None, ".") else f"{base}/composer.json") or {}
    hooks = [k for k in (composer.get("scripts") or {}) if k.startswith(("post-install", "post-update", "post-autoload"))]
    if hooks:
        return f"composer.json's `{hooks[0]}` script runs with the install and may write outside vendor/"
    sources = context_copies(model, build, {"vendor"}, {"composer.json", "composer.lock", "auth.json"})
    if isinstance(sources, str):
        return sources
    copied = [c.path for c in sources]
    out = [Copy(posixpath.join(appdir, "vendor"))] + sources
    for d in dirs:
        if d not in app_dirs(build) and not any(d == p or d.startswith(p.rstrip("/") + "/") for p in copied):
            out.append(Copy(d))
    return out


def _touched(build) -> "list[str] | str":
    """Absolute paths that file commands and redirections of the build change, read with the php
    image's variables (`$PHP_INI_DIR/php.ini`); why the split declines where one cannot be told."""
    out: list[str] = list(build.file_paths)
    overridden = {k for ins in build.carried if ins.keyword == "ENV" for k, _ in ins.pairs}
    for ins, cmd in build.commands:
        cwd = build.workdir_at[id(ins)]
        words = []
        if cmd.name in _FILE_COMMANDS:
            words += [w.text for w in cmd.words[1:] if w.value is None]
        for r in cmd.redirects:
            m = re.match(r"\s*\d*(>>?|&>>?)\s*(.+?)\s*$", r)
            if m and not m.group(2).startswith("&"):
                words.append(m.group(2))
        for text in words:
            value = text.strip("\"'")
            for name, default in _IMAGE_ENV.items():
                if name not in overridden:
                    value = re.sub(r"\$\{?" + name + r"\}?(?![\w])", default, value)
            if "$" in value or "`" in value:
                return f"line {ins.start_line}: `{cmd.name}` changes {text}, a path the split cannot resolve; split by hand"
            if value.startswith(("-", "/dev/")):
                continue
            out.append(posixpath.normpath(posixpath.join(cwd, value)))
    return out


def _working_dir(build, ins, cmd) -> str:
    cwd = build.workdir_at[id(ins)]
    argv = [a or "" for a in cmd.argv]
    for i, a in enumerate(argv):
        if a in ("-d", "--working-dir") and i + 1 < len(argv):
            return posixpath.normpath(posixpath.join(cwd, argv[i + 1]))
        if a.startswith("--working-dir="):
            return posixpath.normpath(posixpath.join(cwd, a.split("=", 1)[1]))
    return cwd


def _outermost(paths: list[str]) -> list[str]:
    out: list[str] = []
    for p in sorted(dict.fromkeys(paths), key=len):
        if not any(p == d or p.startswith(d.rstrip("/") + "/") for d in out):
            out.append(p)
    return sorted(out, key=paths.index)
