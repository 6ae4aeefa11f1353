from __future__ import annotations

from ..split import Copy, SplitRule, app_dirs, slim_runtime, split_fix, uncovered_paths, unknown_command
from ..split.runtime import distribution, distro_data, distro_release, distro_runtime

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
    with the shared libraries native gems load (`pg` → `libpq5`). On Debian or
    Ubuntu with the system's own Ruby (`apt-get install ruby ruby-dev`), both
    stages keep the same image and tag, the runtime installs `ruby` and the
    runtime libraries, and gets the gems from `/var/lib/gems/<ruby>.0` and
    their executables from `/usr/local/bin`.

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
    distro = True

    def plan(self, model, build):
        if not any(c.name in ("bundle", "bundler") and (len(c.argv) == 1 or c.argv[1] == "install") for _, c in build.commands):
            return "no `bundle install`: the Ruby split moves only the gems Bundler installs"
        if distribution(build.base) is not None:
            return _plan_distro(model, build)
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


def _plan_distro(model, build):
    """A Bundler app on Debian's or Ubuntu's own Ruby (apt `ruby ruby-dev`): the same image and tag in
    both stages; the gems copied from the system Ruby's GEM_HOME, their wrappers from /usr/local/bin."""
    family, tool = distribution(build.base)
    if tool != "apt":
        return (f"on {build.base.text} the system Ruby's gems and executables share the distribution's own folders "
                f"(/usr/lib/ruby, /usr/bin): the Ruby split takes Debian and Ubuntu bases only; split by hand")
    release = distro_release(build.base)
    if isinstance(release, str):
        return release
    key, facts = release
    version = facts.get("ruby")
    if version is None:
        return f"which Ruby {key} ships is not known (refactor/data/distro_packages.toml)"
    if not any(p in ("ruby", "ruby-full") or p.startswith("ruby") and p[4:5].isdigit() for p in build.packages):
        return f"Ruby is not installed with apt on {build.base.text}: the split has no interpreter to keep"
    if not any(i.keyword in ("CMD", "ENTRYPOINT") for i in build.moves):
        return (f"the file sets no command (the one of {build.base.text} is a shell): what runs in the image cannot be "
                f"told; split by hand")
    why = unknown_command(build, _TOOLS)
    if why:
        return why
    dirs = app_dirs(build)
    for ins in build.carried:
        for k, v in ins.pairs:
            if k in ("BUNDLE_PATH", "GEM_HOME") and not any(v.strip("\"'").startswith(d) for d in dirs):
                return f"{k} puts the gems in {v}; split by hand"
    installs = [i for i, c in build.commands if c.name in ("bundle", "bundler", "gem")]
    if build.user is not None and any(build.stage.instructions.index(build.user) < build.stage.instructions.index(i) for i in installs):
        return "the gems are installed as a non-root USER: where they land depends on that user's home; split by hand"
    runtime = distro_runtime(model, build, "ruby", tool, key)
    if isinstance(runtime, str):
        return runtime
    image, packages = runtime
    if not [p for p in build.packages if p not in packages]:
        return f"every package the build installs is needed at run time: a runtime stage on {image} would leave nothing behind"
    prefix = distro_data()["gem-prefix"][family]
    gems = [p.format(v=version) for p in prefix["paths"]]
    scripts = prefix["scripts"]
    steps = [] if any(c.name == "gem" and list(c.argv[1:2]) == ["install"] for _, c in build.commands) else [f"RUN mkdir -p {' '.join(gems)}"]
    copies = [Copy(g) for g in gems] + [Copy(scripts)] + [Copy(d, chown=build.chown) for d in dirs]
    why = uncovered_paths(build, copies)
    if why:
        return why
    items = gems + [f"{scripts} (whole: on {image} nothing else lives there)"] + dirs
    message = (f"split into a build stage ({build.base.text}, where native gems compile) and a runtime on the same {image} "
               f"that installs {', '.join(packages)} and copies {', '.join(items[:-1])} and {items[-1]}")
    return split_fix(model, build, runtime=image, copies=copies, message=message, runtime_packages=packages,
                     builder_steps=steps)
