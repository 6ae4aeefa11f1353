from __future__ import annotations

from ...syntax.edits import Replace
from ...model.commands import appended_command, is_windows, rpm_verb
from ...model.packages import cache_mounts, covers
from ..base import Fix, Rule, Safety, Skip


class RpmCacheClean(Rule):
    """
    ## What it does
    Ends a shell-form `RUN` that installs with `yum`, `dnf`, `microdnf` or
    `zypper` and does not clean up afterwards with the package manager's own
    clean command: `&& yum clean all`, `&& dnf clean all`,
    `&& microdnf clean all` or `&& zypper clean -a`.

    ## Why
    These package managers keep the repository metadata they downloaded, and
    often the packages themselves, under `/var/cache/yum`, `/var/cache/dnf`
    or `/var/cache/zypp`. In an image nothing reads that cache again, yet it
    stays in the layer, often tens of megabytes. Cleaning in the same `RUN`
    keeps it out; a later `RUN` cannot, since the layer already holds it.
    hadolint reports the missing clean as DL3032 (yum), DL3036 (zypper) and
    DL3040 (dnf).

    ## Example
    ```dockerfile
    FROM rockylinux:9
    RUN dnf install -y httpd
    ```

    ## Use instead
    ```dockerfile
    FROM rockylinux:9
    RUN dnf install -y httpd && dnf clean all
    ```

    ## Fix safety
    Safe: the same packages are installed; only the package manager's cache
    leaves the layer, and a later install downloads fresh metadata. The clean
    joins with `&&` at the end of the `RUN`, so the `RUN` fails exactly when
    it failed before. Left alone: `RUN`s that end in a comment, a `;` or a
    command in the background, or use if/for/while; `RUN`s with a cache mount
    on the package cache; and stages where a later `RUN` installs from the
    cache alone (`-C`, `--cacheonly`).
    """

    code = "HY043"
    name = "rpm-cache-clean"
    title = "Clean the yum, dnf or zypper cache in the RUN that installs"
    rationale = "yum, dnf and zypper keep downloaded metadata and packages in the layer unless the same RUN cleans them."
    resolves = ("DL3032", "DL3036", "DL3040")
    safety = Safety.SAFE

    def check(self, model):
        runs = list(model.shell_runs())
        for n, (ins, script) in enumerate(runs):
            stage = model.stage_of(ins)
            if stage is None or is_windows(model, stage):
                continue
            missing = _uncleaned(script)
            if not missing:
                continue
            mount = next((t for t in cache_mounts(ins) for p in missing if covers(t, _CACHES[p])), None)
            if mount:
                continue  # the cache lives in a build cache mount, not in the layer
            if script.has_errors:
                yield Skip("the package cache stays: the shell parser could not read this RUN", ins)
                continue
            offline = _later_offline(model, runs, n, stage, missing)
            if offline:
                yield Skip(f"the package cache stays: {offline} installs from the cache alone", ins)
                continue
            at = appended_command(script)
            if at is None:
                yield Skip("the package cache stays: the RUN ends in something a clean cannot follow (a comment, "
                           "a `;`, a command in the background) or has if/for/while", ins)
                continue
            cleans = [_CLEAN[p] for p in missing]
            code = model.edited_run(ins, [(at, at, "".join(f" && {c}" for c in cleans))])
            if code is None:
                yield Skip("the package cache stays: the RUN is laid out in a way this rule cannot edit", ins)
                continue
            yield Fix(ins, f"{' and '.join(cleans)} keeps the package manager's cache out of the layer", Safety.SAFE,
                      (Replace(ins, code, verbatim=True),))


_INSTALLS = {
    "yum": ("install",),
    "zypper": ("install", "in"),
    "dnf": ("install", "in", "upgrade", "up", "upgrade-minimal", "up-min", "reinstall", "rei"),
}
_INSTALLS["microdnf"] = _INSTALLS["dnf"]
_CLEAN = {"yum": "yum clean all", "dnf": "dnf clean all", "microdnf": "microdnf clean all", "zypper": "zypper clean -a"}
_CACHES = {"yum": ("/var/cache/yum",), "dnf": ("/var/cache/dnf", "/var/cache/libdnf5"),
           "microdnf": ("/var/cache/dnf", "/var/cache/yum", "/var/cache/libdnf5"), "zypper": ("/var/cache/zypp",)}
_CLEANS = {"yum": ("clean",), "dnf": ("clean",), "microdnf": ("clean",), "zypper": ("clean", "cc")}


def _uncleaned(script) -> list[str]:
    """The package managers that install in the script with no clean after their last install."""
    last_install: dict[str, int] = {}
    last_clean: dict[str, int] = {}
    for k, command in enumerate(script.commands):
        found = rpm_verb(command)
        if found is not None:
            program, word = found
            if word.value in _INSTALLS[program]:
                last_install[program] = k
            elif word.value in _CLEANS[program]:
                last_clean[program] = k
        elif command.name == "rm" and any(v and v.startswith(("/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5",
                                                               "/var/cache/zypp")) for v in command.argv):
            for program, paths in _CACHES.items():
                if any(v and v.startswith(paths) for v in command.argv):
                    last_clean[program] = k
    return [p for p, k in last_install.items() if last_clean.get(p, -1) < k]


def _later_offline(model, runs, n, stage, programs) -> str | None:
    chain_of = {s.index for s in model.stage_chain(stage)}
    for other, script in runs[n + 1:]:
        s = model.stage_of(other)
        if s is None or stage.index not in {c.index for c in model.stage_chain(s)} and s.index not in chain_of:
            continue
        for command in script.commands:
            found = rpm_verb(command)
            if found and found[0] in programs and any(v in ("-C", "--cacheonly") for v in command.argv):
                return f"line {other.start_line} (`{found[0]} {' '.join(v for v in command.argv[1:3] if v)}`)"
    return None
