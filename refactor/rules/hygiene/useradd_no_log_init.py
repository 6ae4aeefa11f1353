from __future__ import annotations

from ...syntax.edits import Replace
from ...model.commands import has_flag, is_windows
from ..base import Fix, Rule, Safety, Skip


class UseraddNoLogInit(Rule):
    """
    ## What it does
    Adds `-l` (`--no-log-init`) right after `useradd` in shell-form `RUN`s
    that create a user with a uid of six digits or more (or one written as a
    variable that long) and do not say `-l` already.

    ## Why
    `useradd` reserves the new user's entry in `/var/log/lastlog` and
    `/var/log/faillog`, files indexed by uid. On the host these are sparse;
    in an image layer they are not: a uid of 123456789 writes a `lastlog` of
    tens of gigabytes of zeros. hadolint reports it as DL3046.

    ## Example
    ```dockerfile
    FROM debian:bookworm-slim
    RUN useradd -u 1000100 -m app
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-slim
    RUN useradd -l -u 1000100 -m app
    ```

    ## Fix safety
    Safe: the user, its uid, groups and home are the same; only its empty
    login records in `lastlog` and `faillog` are not written. Windows stages
    are left alone.
    """

    code = "HY046"
    name = "useradd-no-log-init"
    title = "Create users with a high uid with useradd -l"
    rationale = "useradd writes login records indexed by uid, so a high uid fills the layer with gigabytes of zeros."
    resolves = ("DL3046",)
    safety = Safety.SAFE

    def check(self, model):
        for ins, script in model.shell_runs():
            stage = model.stage_of(ins)
            if stage is None or is_windows(model, stage):
                continue
            commands = [c for c in script.commands if c.name == "useradd" and _long_uid(c)
                        and not has_flag(c, "l", ("no-log-init",))]
            if not commands:
                continue
            if script.has_errors:
                yield Skip("useradd stays as written: the shell parser could not read this RUN", ins)
                continue
            code = model.edited_run(ins, [(c.words[0].end, c.words[0].end, " -l") for c in commands])
            if code is None:
                yield Skip("useradd stays as written: the RUN is laid out in a way this rule cannot edit", ins)
                continue
            yield Fix(ins, "useradd -l writes no login records, which for a high uid fill the layer with zeros",
                      Safety.SAFE, (Replace(ins, code, verbatim=True),))


def _long_uid(command) -> bool:
    """The uid given with -u/--uid is more than five characters long, as hadolint measures it."""
    words = command.words
    for i, w in enumerate(words[1:], 1):
        text = w.value if w.value is not None else w.text
        if text in ("-u", "--uid") and i + 1 < len(words):
            return len(words[i + 1].text.strip("\"'")) > 5
        if text.startswith("--uid="):
            return len(text[len("--uid="):]) > 5
        if text.startswith("-u") and not text.startswith("--") and len(text) > 2:
            return len(text[2:]) > 5
    return False
