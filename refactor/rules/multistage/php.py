from __future__ import annotations

from ..split import Copy, SplitRule, app_dirs, debian_suite, runtime_packages, split_fix, uncovered_paths, \
    unknown_command

_TOOLS = {"composer", "php", "curl", "docker-php-ext-install", "docker-php-ext-configure", "docker-php-ext-enable",
          "pecl", "docker-php-source"}
EXTENSIONS = "/usr/local/lib/php/extensions"
CONF = "/usr/local/etc/php/conf.d"


class PhpSplit(SplitRule):
    """
    ## What it does
    Splits a single-stage PHP build that installs its dependencies with
    Composer: the original stage keeps Composer, git, unzip and the headers
    (the `build` stage), and a runtime stage on the same PHP image copies the
    application folder with its `vendor/`, plus the extensions the build
    compiled (`docker-php-ext-install`, `pecl`) and their ini files, and
    installs only the shared libraries those extensions load
    (`libzip-dev` → `libzip4`).

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
    COPY --from=build /app /app
    CMD ["php", "-S", "0.0.0.0:8000", "-t", "public"]
    ```

    ## Fix safety
    Review: the configuration is kept; Composer is gone from the image (a
    command that runs it at start-up declines the split), and so are the
    build's system packages but the runtime libraries of the `-dev` ones it
    can map.
    """

    code = "MS008"
    name = "split-php"
    title = "Split a Composer build into a build stage and a runtime without Composer and build tools"
    rationale = "Composer, git, unzip and headers are needed to install, not to run."
    ecosystem = "php"
    images = ("php",)

    def plan(self, model, build):
        if not any(c.name == "composer" and c.argv[1:2] in (("install",), ("update",)) for _, c in build.commands):
            return "no `composer install` or `composer update`: the PHP split moves only what Composer installs"
        why = unknown_command(build, _TOOLS)
        if why:
            return why
        if build.entry[:1] == ("composer",):
            return "the command runs composer, which the runtime would not have"
        packages, why = runtime_packages(build, debian_suite(build.base), model)
        if why:
            return why
        dirs = app_dirs(build)
        copies = [Copy(d, chown=build.chown) for d in dirs]
        if any(c.name in ("docker-php-ext-install", "docker-php-ext-enable", "pecl") for _, c in build.commands):
            copies = [Copy(EXTENSIONS), Copy(CONF)] + copies
        why = uncovered_paths(build, copies)
        if why:
            return why
        runtime = build.base.text
        message = (f"split into a build stage (with Composer and the build tools) and a runtime on {runtime} that copies "
                   f"{', '.join(c.path for c in copies)}" + (f" and installs {', '.join(packages)}" if packages else ""))
        return split_fix(model, build, runtime=runtime, copies=copies, message=message, runtime_packages=packages)
