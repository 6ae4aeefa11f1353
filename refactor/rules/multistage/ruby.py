from __future__ import annotations

from ..split import Copy, SplitRule, app_dirs, slim_runtime, split_fix, uncovered_paths, unknown_command

GEMS = "/usr/local/bundle"  # BUNDLE_APP_CONFIG and GEM_HOME of the official ruby images
_TOOLS = {"bundle", "bundler", "gem", "ruby", "rake", "rails"}


class RubySplit(SplitRule):
    """
    ## What it does
    Splits a single-stage Ruby build that installs gems with Bundler: the
    original stage keeps the compilers and builds the native extensions (the
    `build` stage), and a runtime stage on the slim image of the same Ruby
    copies the installed gems (`/usr/local/bundle`, or a `vendor/bundle` in
    the application folder) and the application folder to the same paths,
    with the shared libraries native gems load (`pg` → `libpq5`).

    ## Why
    `ruby:<v>` carries compilers and headers (about 1 GB); `-slim` is a fifth
    of that. Once the extensions are built, the compilers only add size and
    attack surface.

    ## Example
    ```dockerfile
    FROM ruby:3.3
    WORKDIR /app
    COPY . .
    RUN bundle install
    CMD ["bundle", "exec", "rackup"]
    ```

    ## Use instead
    ```dockerfile
    FROM ruby:3.3 AS build
    WORKDIR /app
    COPY . .
    RUN bundle install

    FROM ruby:3.3-slim
    WORKDIR /app
    COPY --from=build /usr/local/bundle /usr/local/bundle
    COPY --from=build /app /app
    CMD ["bundle", "exec", "rackup"]
    ```

    ## Fix safety
    Review: the configuration is kept; a gem that builds against a library
    the full image carries and the mapping does not know would fail to load.
    The rule declines for `-dev` packages it cannot map, for a `BUNDLE_PATH`
    outside the application folder, and for commands it does not know.
    """

    code = "MS007"
    name = "split-ruby"
    title = "Split a Bundler build into a build stage and a slim Ruby runtime"
    rationale = "Native gems are compiled in the build stage; the slim runtime gets the gems and the application."
    ecosystem = "ruby"
    images = ("ruby",)

    def plan(self, model, build):
        if not any(c.name in ("bundle", "bundler") and (len(c.argv) == 1 or c.argv[1] == "install") for _, c in build.commands):
            return "no `bundle install`: the Ruby split moves only the gems Bundler installs"
        why = unknown_command(build, _TOOLS)
        if why:
            return why
        for ins in build.carried:
            for k, v in ins.pairs:
                if k in ("BUNDLE_PATH", "GEM_HOME") and not any(v.strip("\"'").startswith(d) for d in app_dirs(build) + [GEMS]):
                    return f"{k} puts the gems in {v}; split by hand"
        slim = slim_runtime(model, build, "ruby", ("Gemfile.lock", "Gemfile"))
        if isinstance(slim, str):
            return slim
        runtime, packages = slim
        dirs = app_dirs(build)
        copies = [Copy(GEMS)] + [Copy(d, chown=build.chown) for d in dirs]
        why = uncovered_paths(build, copies)
        if why:
            return why
        message = (f"split into a build stage ({build.base.text}, where native gems compile) and a runtime on {runtime} "
                   f"that copies the gems and {', '.join(dirs)}" + (f" and installs {', '.join(packages)}" if packages else ""))
        return split_fix(model, build, runtime=runtime, copies=copies, message=message, runtime_packages=packages)
